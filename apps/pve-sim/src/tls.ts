/**
 * Like pveproxy at first start: a cluster CA (`pve-root-ca.pem`) and a node certificate signed by it
 * (`pve-ssl.pem` / `pve-ssl.key`), written to `certDir` and reused on later starts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface SimCertificates {
  key: string;
  cert: string;
  caFile: string;
}

export async function ensureCertificates(certDir: string, hostnames: string[]): Promise<SimCertificates> {
  const caFile = join(certDir, 'pve-root-ca.pem');
  const caKeyFile = join(certDir, 'pve-root-ca.key');
  const certFile = join(certDir, 'pve-ssl.pem');
  const keyFile = join(certDir, 'pve-ssl.key');
  if ([caFile, certFile, keyFile].every((f) => existsSync(f))) {
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), caFile };
  }
  mkdirSync(certDir, { recursive: true });
  const notBeforeDate = new Date(Date.now() - 86_400_000);
  const ca = await generate(
    [
      { name: 'commonName', value: 'Proxmox Virtual Environment' },
      { name: 'organizationName', value: 'PVE Cluster Manager CA' },
    ],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate: new Date(Date.now() + 10 * 365 * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    },
  );
  const altNames = hostnames.map((h) =>
    /^[\d.]+$/.test(h) || h.includes(':') ? { type: 7 as const, ip: h } : { type: 2 as const, value: h },
  );
  const server = await generate(
    [
      { name: 'commonName', value: hostnames[0] ?? 'localhost' },
      { name: 'organizationName', value: 'PVE Cluster Node' },
    ],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate: new Date(Date.now() + 2 * 365 * 86_400_000),
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames },
      ],
    },
  );
  writeFileSync(caKeyFile, ca.private, { mode: 0o600 });
  writeFileSync(caFile, ca.cert);
  writeFileSync(keyFile, server.private, { mode: 0o600 });
  writeFileSync(certFile, server.cert);
  return { key: server.private, cert: server.cert, caFile };
}
