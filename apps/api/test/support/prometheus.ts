import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@proxdeck/testing';

/** Debian's `prometheus` package (.ci/run installs it). */
export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

export interface RunningPrometheus {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus on a free port, with a temporary configuration and storage: it scrapes every second the
 * targets it discovers from Proxdeck's `GET /api/monitoring/prometheus-targets` (HTTP service discovery, the API
 * token as bearer, as the README's scrape config does).
 */
export async function startPrometheus(options: { sdUrl: string; token: string }): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'proxdeck-prometheus-'));
  const tokenFile = join(dir, 'proxdeck-token');
  writeFileSync(tokenFile, options.token, { mode: 0o600 });
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: proxdeck-servers',
      '    http_sd_configs:',
      `      - url: ${options.sdUrl}`,
      '        refresh_interval: 1s',
      '        authorization:',
      '          type: Bearer',
      `          credentials_file: ${tokenFile}`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    PROMETHEUS_BINARY,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${String(port)}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const url = `http://127.0.0.1:${String(port)}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited: ${output}`);
        const response = await fetch(`${url}/-/ready`);
        return response.ok ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'Prometheus to be ready' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => output, stop };
}

export const prometheusInstalled = (): boolean => existsSync(PROMETHEUS_BINARY);

/**
 * A node_exporter stand-in: the text exposition format with counters that grow at fixed rates from the moment it
 * starts (CPU idle 0.75 s/s per CPU on 2 CPUs: 25 % use; 1,000 B/s received, 500 B/s sent, 2,000 B/s read and
 * 4,000 B/s written), memory 25 % used, the root filesystem 40 % used, load 0.5.
 */
export async function startNodeExporter(
  host: string,
): Promise<{ server: Server; port: number; scrapes(): number }> {
  const started = Date.now();
  let scrapes = 0;
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    scrapes++;
    // Counters carry the moment they were computed (the exposition format's timestamp, which Prometheus honours
    // by default), so that a rate over two samples is the one served, whatever the scrape's jitter.
    const now = Date.now();
    const s = (now - started) / 1000;
    const at = ` ${String(now)}`;
    const lines = [
      '# TYPE node_cpu_seconds_total counter',
      ...[0, 1].flatMap((cpu) => [
        `node_cpu_seconds_total{cpu="${String(cpu)}",mode="idle"} ${String(1000 + 0.75 * s)}${at}`,
        `node_cpu_seconds_total{cpu="${String(cpu)}",mode="user"} ${String(100 + 0.25 * s)}${at}`,
      ]),
      '# TYPE node_memory_MemTotal_bytes gauge',
      'node_memory_MemTotal_bytes 4294967296',
      '# TYPE node_memory_MemAvailable_bytes gauge',
      'node_memory_MemAvailable_bytes 3221225472',
      '# TYPE node_filesystem_size_bytes gauge',
      'node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 10000000000',
      'node_filesystem_size_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1000000',
      '# TYPE node_filesystem_avail_bytes gauge',
      'node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 6000000000',
      'node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1000',
      '# TYPE node_load1 gauge',
      'node_load1 0.5',
      '# TYPE node_network_receive_bytes_total counter',
      `node_network_receive_bytes_total{device="eth0"} ${String(1_000_000 + 1000 * s)}${at}`,
      `node_network_receive_bytes_total{device="lo"} ${String(5_000_000 * s)}${at}`,
      '# TYPE node_network_transmit_bytes_total counter',
      `node_network_transmit_bytes_total{device="eth0"} ${String(500 * s)}${at}`,
      '# TYPE node_disk_read_bytes_total counter',
      `node_disk_read_bytes_total{device="sda"} ${String(2000 * s)}${at}`,
      '# TYPE node_disk_written_bytes_total counter',
      `node_disk_written_bytes_total{device="sda"} ${String(4000 * s)}${at}`,
      '# TYPE node_uname_info gauge',
      'node_uname_info{nodename="test",release="6.1.0",sysname="Linux"} 1',
      '',
    ];
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as { port: number }).port, scrapes: () => scrapes };
}
