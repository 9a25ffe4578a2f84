/** The client's TLS handling against the simulator's self-signed CA (as with a fresh PVE install). */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PveClient, PveTransportError } from '@proxdeck/pve-client';
import type { RunningPveSimulator } from '../src';
import { TEST_CERT_DIR, TOKEN, startTestSim } from './helpers';

describe('TLS', () => {
  let sim: RunningPveSimulator;
  beforeAll(async () => {
    sim = await startTestSim({ protocol: 'https', certDir: TEST_CERT_DIR });
  });
  afterAll(() => sim.close());

  const client = (extra: Partial<ConstructorParameters<typeof PveClient>[0]>) =>
    new PveClient({
      baseUrl: sim.url,
      auth: { type: 'token', tokenId: TOKEN.id, secret: TOKEN.secret },
      retry: { retries: 0 },
      ...extra,
    });

  it('writes pveproxy-like certificate files and serves https', () => {
    expect(sim.url.startsWith('https://')).toBe(true);
    expect(sim.caFile).toBe(join(TEST_CERT_DIR, 'pve-root-ca.pem'));
    for (const f of ['pve-root-ca.pem', 'pve-ssl.pem', 'pve-ssl.key'])
      expect(existsSync(join(TEST_CERT_DIR, f))).toBe(true);
    expect(readFileSync(sim.caFile!, 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('works when the client trusts the CA file', async () => {
    const c = client({ caFile: sim.caFile! });
    await expect(c.version()).resolves.toMatchObject({ version: '9.2.11' });
    await c.close();
  });

  it('refuses the unknown certificate when verification is on and no CA is given', async () => {
    const c = client({});
    const error = (await c.version().catch((e: unknown) => e)) as PveTransportError;
    expect(error).toBeInstanceOf(PveTransportError);
    expect(error.code).toMatch(/CERT|SIGNATURE|ISSUER/);
    await c.close();
  });

  it('connects without verification when tlsVerify is false', async () => {
    const c = client({ tlsVerify: false });
    await expect(c.version()).resolves.toMatchObject({ release: '9.2' });
    await c.close();
  });

  it('refuses a certificate signed by another CA', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'pve-sim-other-ca-'));
    const other = await startTestSim({ protocol: 'https', certDir: otherDir });
    const c = new PveClient({
      baseUrl: other.url,
      auth: { type: 'token', tokenId: TOKEN.id, secret: TOKEN.secret },
      caFile: sim.caFile!,
      retry: { retries: 0 },
    });
    await expect(c.version()).rejects.toBeInstanceOf(PveTransportError);
    await c.close();
    await other.close();
    rmSync(otherDir, { recursive: true, force: true });
  });
});
