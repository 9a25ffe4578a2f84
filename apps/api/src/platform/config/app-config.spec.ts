import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, readDotEnv } from './app-config';
import { configSchema } from './config.schema';

describe('.env files', () => {
  const write = (text: string): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'proxdeck-env-')), '.env');
    writeFileSync(file, text);
    return file;
  };

  it('reads values, drops comments after unquoted values and keeps quoted ones whole', () => {
    expect(
      readDotEnv(
        write(
          [
            '# a comment line',
            'PORT=3000            # the port',
            'LOG_LEVEL=warn',
            'ADMIN_PASSWORD="has # inside"',
            "REDIS_PREFIX='quoted'",
            'WEB_DIST_DIR=   # empty with a comment',
            'METRICS_TOKEN=abc#def',
          ].join('\n'),
        ),
      ),
    ).toEqual({
      PORT: '3000',
      LOG_LEVEL: 'warn',
      ADMIN_PASSWORD: 'has # inside',
      REDIS_PREFIX: 'quoted',
      WEB_DIST_DIR: '',
      METRICS_TOKEN: 'abc#def',
    });
  });

  it('accepts .env.example copied as it is to .env', () => {
    const example = resolve(__dirname, '../../../../../.env.example');
    const config = loadConfig({}, example);
    expect(config.values.PORT).toBe(3000);
    expect(config.values.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/proxdeck');
  });

  it('lists every setting in .env.example, and nothing else', () => {
    const example = readDotEnv(resolve(__dirname, '../../../../../.env.example'));
    expect(Object.keys(example).sort()).toEqual(Object.keys(configSchema.innerType().shape).sort());
  });

  it('lets the environment win over the file', () => {
    expect(loadConfig({ PORT: '4000' }, write('PORT=3000\n')).values.PORT).toBe(4000);
  });
});
