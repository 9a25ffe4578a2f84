import { AppLogger } from './app-logger';

describe('AppLogger', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("keeps Nest's route map and module lines out of info, and everything else in", () => {
    const logger = new AppLogger('info');
    logger.log('Mapped {/api/health, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Worker 42 started', 'Worker');
    expect(written.join('')).toContain('Worker 42 started');
    expect(written.join('')).not.toContain('Mapped');
    expect(written.join('')).not.toContain('dependencies initialized');
  });

  it('shows them at debug', () => {
    const logger = new AppLogger('debug');
    logger.log('Mapped {/api/health, GET} route', 'RouterExplorer');
    expect(written.join('')).toContain('Mapped {/api/health, GET} route');
  });

  it('honours the level', () => {
    const logger = new AppLogger('warn');
    logger.log('started', 'Worker');
    logger.warn('careful', 'Worker');
    expect(written.join('')).not.toContain('started');
  });
});
