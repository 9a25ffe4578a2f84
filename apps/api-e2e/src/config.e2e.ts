import { join } from 'node:path';
import { WORKSPACE_ROOT, startNodeProcess, waitFor } from '@proxdeck/testing';

describe('configuration at start', () => {
  it('lists every invalid setting and exits non-zero', async () => {
    const api = startNodeProcess(
      join(WORKSPACE_ROOT, 'apps/api/dist/main.js'),
      { PORT: 'eighty', DATABASE_URL: 'not-a-url', SESSION_IDLE_TIMEOUT_S: '-1', ADMIN_PASSWORD: 'short' },
      'api',
    );
    const code = await waitFor(() => api.child.exitCode ?? undefined, {
      timeoutMs: 20_000,
      what: 'the API to exit',
    });
    expect(code).not.toBe(0);
    const output = api.output();
    for (const setting of ['PORT', 'DATABASE_URL', 'SESSION_IDLE_TIMEOUT_S', 'ADMIN_PASSWORD']) {
      expect(output).toContain(setting);
    }
    expect(output).not.toContain('short');
  });
});
