import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSshHost, SSH_TEST_USER, waitFor, type SshHost } from '@proxdeck/testing';

const run = promisify(execFile);

/** Runs `command` on the host over ssh with its key, checking the host key strictly. */
async function sshRun(host: SshHost, command: string, knownHosts: string): Promise<string> {
  const { stdout } = await run('ssh', [
    '-i',
    host.privateKeyPath,
    '-p',
    String(host.port),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'ConnectTimeout=10',
    `${host.user}@${host.address}`,
    command,
  ]);
  return stdout.trim();
}

describe('the test SSH host fixture (libs/testing/src/ssh-host.ts)', () => {
  let dir: string;
  const hosts: SshHost[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'proxdeck-ssh-spec-'));
    hosts.push(
      ...(await Promise.all([
        startSshHost({ address: '127.0.0.31' }),
        startSshHost({ address: '127.0.0.32' }),
      ])),
    );
  });
  afterAll(async () => {
    await Promise.all(hosts.map((host) => host.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the unprivileged test user with the key, on each of two hosts running at once', async () => {
    for (const host of hosts) {
      const knownHosts = join(dir, `known_hosts_${host.address}`);
      writeFileSync(knownHosts, `${host.knownHostsLine}\n`);
      const output = await sshRun(
        host,
        'id -un; id -u; echo "$HOME"; sudo -n true 2>/dev/null && echo sudo || echo nosudo',
        knownHosts,
      );
      const [user, uid, home, sudo] = output.split('\n');
      expect(user).toBe(SSH_TEST_USER);
      expect(Number(uid)).toBeGreaterThan(0);
      expect(home).toBe(host.home);
      expect(sudo).toBe('nosudo');
    }
    expect(hosts[0]?.address).not.toBe(hosts[1]?.address);
  });

  it('gives each host a home of its own, writable by the test user only', async () => {
    const [first, second] = hosts as [SshHost, SshHost];
    expect(first.home).not.toBe(second.home);
    for (const [index, host] of hosts.entries()) {
      const knownHosts = join(dir, `known_hosts_home_${host.address}`);
      writeFileSync(knownHosts, `${host.knownHostsLine}\n`);
      await sshRun(host, `echo host-${String(index)} > ~/which-host`, knownHosts);
    }
    expect(readFileSync(join(first.home, 'which-host'), 'utf8')).toBe('host-0\n');
    expect(readFileSync(join(second.home, 'which-host'), 'utf8')).toBe('host-1\n');
    expect(statSync(first.home).mode & 0o777).toBe(0o700);
    expect(statSync(first.home).uid).not.toBe(0);
  });

  it('presents the host key of its known_hosts line (a different key is refused)', async () => {
    const [first, second] = hosts as [SshHost, SshHost];
    const wrong = join(dir, 'known_hosts_wrong');
    // The second host's key, declared for the first host's address and port.
    writeFileSync(
      wrong,
      `${first.knownHostsLine.split(' ')[0] ?? ''} ${second.knownHostsLine.split(' ').slice(1).join(' ')}\n`,
    );
    await expect(sshRun(first, 'true', wrong)).rejects.toThrow(/host key|HOST IDENTIFICATION/i);
  });

  it('refuses a key it was not given', async () => {
    const [first, second] = hosts as [SshHost, SshHost];
    const knownHosts = join(dir, 'known_hosts_first');
    writeFileSync(knownHosts, `${first.knownHostsLine}\n`);
    await expect(
      sshRun({ ...first, privateKeyPath: second.privateKeyPath }, 'true', knownHosts),
    ).rejects.toThrow(/Permission denied/);
  });

  it('stops: the port no longer accepts connections and the temporary files are gone', async () => {
    const host = await startSshHost({ address: '127.0.0.33' });
    await host.stop();
    const knownHosts = join(dir, 'known_hosts_stopped');
    writeFileSync(knownHosts, `${host.knownHostsLine}\n`);
    await expect(sshRun(host, 'true', knownHosts)).rejects.toThrow();
    await expect(run('test', ['-e', host.privateKeyPath])).rejects.toThrow();
  });

  it('stops with a session still open: the session ends too', async () => {
    const host = await startSshHost({ address: '127.0.0.34' });
    const knownHosts = join(dir, 'known_hosts_session');
    writeFileSync(knownHosts, `${host.knownHostsLine}\n`);
    const session = spawn(
      'ssh',
      [
        '-i',
        host.privateKeyPath,
        '-p',
        String(host.port),
        '-o',
        'BatchMode=yes',
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        `${host.user}@${host.address}`,
        'echo open; sleep 120',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const ended = new Promise<number | null>((resolve) =>
      session.once('exit', (code) => {
        resolve(code);
      }),
    );
    let output = '';
    session.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor(() => (output.includes('open') ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the session',
    });
    await host.stop();
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      ended,
      new Promise<string>((resolve) => {
        timer = setTimeout(() => {
          resolve('still running');
        }, 10_000);
      }),
    ]);
    clearTimeout(timer);
    expect(code).not.toBe('still running');
  });
});
