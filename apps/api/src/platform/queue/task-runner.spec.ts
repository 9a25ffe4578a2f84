import { MetadataScanner, Reflector, type DiscoveryService } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import type { MetricsService } from '../metrics/metrics.service';
import { JobHandler, type JobContext } from './job-handler.decorator';
import type { JobQueue } from './job-queue';
import { TaskRunner } from './task-runner';
import type { TaskStore } from './task-store';
import type { WorkerRegistry } from './worker-registry';

class CompleteHandlers {
  @JobHandler('test.simple')
  simple(_context: JobContext<'test.simple'>): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  @JobHandler('test.error')
  error(_context: JobContext<'test.error'>): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

class SecondSimpleHandler {
  @JobHandler('test.simple')
  again(_context: JobContext<'test.simple'>): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

class OnlySimple {
  @JobHandler('test.simple')
  simple(_context: JobContext<'test.simple'>): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

function runnerWith(...instances: object[]): TaskRunner {
  const discovery = {
    getProviders: () => instances.map((instance) => ({ instance, name: instance.constructor.name })),
  } as unknown as DiscoveryService;
  return new TaskRunner(
    discovery,
    new MetadataScanner(),
    new Reflector(),
    {} as TaskStore,
    {} as JobQueue,
    {} as WorkerRegistry,
    {} as MetricsService,
    {} as AppConfig,
  );
}

describe('TaskRunner at boot', () => {
  it('accepts exactly one handler per job type', () => {
    expect(() => {
      runnerWith(new CompleteHandlers()).onApplicationBootstrap();
    }).not.toThrow();
  });

  it('refuses to boot when a job type has no handler', () => {
    expect(() => {
      runnerWith(new OnlySimple()).onApplicationBootstrap();
    }).toThrow(/job "test.error" has no @JobHandler/);
  });

  it('refuses to boot when a job type has two handlers', () => {
    expect(() => {
      runnerWith(new CompleteHandlers(), new SecondSimpleHandler()).onApplicationBootstrap();
    }).toThrow(/job "test.simple" has 2 handlers: CompleteHandlers.simple, SecondSimpleHandler.again/);
  });
});
