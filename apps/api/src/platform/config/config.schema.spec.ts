import { ConfigValidationError, parseConfig } from './config.schema';

describe('configuration schema', () => {
  it('applies defaults to an empty environment', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.SESSION_IDLE_TIMEOUT_S).toBe(3600);
    expect(config.ADMIN_PASSWORD).toBeUndefined();
    expect(config.PVE_URL).toBeUndefined();
    expect(config.PVE_TLS_VERIFY).toBe(true);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      parseConfig({
        PORT: 'eighty',
        DATABASE_URL: 'not a url',
        ADMIN_PASSWORD: 'short',
        RUN_WORKERS: 'maybe',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/DATABASE_URL/);
    expect(problems).toMatch(/ADMIN_PASSWORD: at least 10 characters/);
    expect(problems).toMatch(/RUN_WORKERS/);
  });

  it('requires credentials with a real cluster', () => {
    expect(() => parseConfig({ PVE_URL: 'https://pve1:8006' })).toThrow(/PVE_TOKEN_ID/);
    expect(
      parseConfig({ PVE_URL: 'https://pve1:8006', PVE_TOKEN_ID: 'proxdeck@pve!api', PVE_TOKEN_SECRET: 's' })
        .PVE_URL,
    ).toBe('https://pve1:8006');
  });

  it('refuses to run in production with a public /metrics', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(
      /METRICS_TOKEN: required when NODE_ENV=production/,
    );
    expect(parseConfig({ NODE_ENV: 'production', METRICS_TOKEN: 'scrape-me' }).METRICS_TOKEN).toBe(
      'scrape-me',
    );
  });

  it('treats blank optional values as unset', () => {
    expect(parseConfig({ ADMIN_PASSWORD: '', PVE_URL: '  ' }).ADMIN_PASSWORD).toBeUndefined();
  });

  it('refuses an idle timeout longer than the absolute lifetime', () => {
    expect(() => parseConfig({ SESSION_IDLE_TIMEOUT_S: '100', SESSION_MAX_AGE_S: '50' })).toThrow(
      /SESSION_IDLE_TIMEOUT_S/,
    );
  });
  it('has health thresholds within 1-100 %, each warning at most its critical', () => {
    const config = parseConfig({});
    expect([config.HEALTH_CPU_WARNING_PERCENT, config.HEALTH_CPU_CRITICAL_PERCENT]).toEqual([80, 95]);
    expect(config.HEALTH_TCP_PORT).toBe(22);
    expect(() => parseConfig({ HEALTH_MEM_WARNING_PERCENT: '96' })).toThrow(
      /HEALTH_MEM_WARNING_PERCENT: must not exceed HEALTH_MEM_CRITICAL_PERCENT/,
    );
    expect(() => parseConfig({ HEALTH_DISK_CRITICAL_PERCENT: '101' })).toThrow(
      /HEALTH_DISK_CRITICAL_PERCENT/,
    );
  });
});
