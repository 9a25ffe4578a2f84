import { MetadataScanner, Reflector, type DiscoveryService } from '@nestjs/core';
import type { JobContext, JobResult } from './job-context';
import { JOB_HANDLER, jobHandlerDecoratorFor } from './job-handler.decorator';
import { job } from './job-table';
import { HandlerDiscovery } from './handler-discovery';

const FIXTURE_JOBS = {
  'fixture.a': job<{ a: string }>({ queue: 'fixtures', attempts: 1, backoffMs: 0, timeoutMs: 1_000 }),
  'fixture.b': job<{ b: number }>({ queue: 'fixtures', attempts: 1, backoffMs: 0, timeoutMs: 1_000 }),
};
type FixtureJobs = typeof FIXTURE_JOBS;
const Handles = jobHandlerDecoratorFor<FixtureJobs>();
const done = (): Promise<JobResult> => Promise.resolve(undefined);

class BothHandlers {
  @Handles('fixture.a')
  a(_context: JobContext<'fixture.a', FixtureJobs>): Promise<JobResult> {
    return done();
  }

  @Handles('fixture.b')
  b(_context: JobContext<'fixture.b', FixtureJobs>): Promise<JobResult> {
    return done();
  }
}

class SecondA {
  @Handles('fixture.a')
  again(_context: JobContext<'fixture.a', FixtureJobs>): Promise<JobResult> {
    return done();
  }
}

class OnlyA {
  @Handles('fixture.a')
  a(_context: JobContext<'fixture.a', FixtureJobs>): Promise<JobResult> {
    return done();
  }
}

function discover(...instances: object[]) {
  const discovery = {
    getProviders: () => instances.map((instance) => ({ instance, name: instance.constructor.name })),
  } as unknown as DiscoveryService;
  return new HandlerDiscovery(discovery, new MetadataScanner(), new Reflector()).find(
    JOB_HANDLER,
    Object.keys(FIXTURE_JOBS),
    'job',
  );
}

describe('handler discovery at boot (fixture job table)', () => {
  it('accepts exactly one handler per job type and binds it to its provider', async () => {
    const handlers = discover(new BothHandlers());
    expect([...handlers.keys()].sort()).toEqual(['fixture.a', 'fixture.b']);
    expect(handlers.get('fixture.a')?.owner).toBe('BothHandlers.a');
    await expect(handlers.get('fixture.b')?.call({})).resolves.toBeUndefined();
  });

  it('refuses to boot when a job type has no handler', () => {
    expect(() => discover(new OnlyA())).toThrow(/job "fixture.b" has no handler/);
  });

  it('refuses to boot when a job type has two handlers', () => {
    expect(() => discover(new BothHandlers(), new SecondA())).toThrow(
      /job "fixture.a" has 2 handlers: BothHandlers.a, SecondA.again/,
    );
  });

  it('refuses a handler for a job the table does not have', () => {
    expect(() =>
      new HandlerDiscovery(
        {
          getProviders: () => [{ instance: new BothHandlers(), name: 'BothHandlers' }],
        } as unknown as DiscoveryService,
        new MetadataScanner(),
        new Reflector(),
      ).find(JOB_HANDLER, ['fixture.a'], 'job'),
    ).toThrow(/BothHandlers.b handles job "fixture.b", which is not in its table/);
  });
});
