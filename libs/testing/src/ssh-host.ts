import { execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait';

const run = promisify(execFile);

/** The unprivileged Unix user every test SSH host accepts (no sudo, a home of its own). */
export const SSH_TEST_USER = 'proxdeck-test';
const SSHD = '/usr/sbin/sshd';

export interface SshHost {
  address: string;
  port: number;
  user: string;
  /** An ed25519 client key (0600, owned by the test process's user) that the host accepts for `user`. */
  privateKeyPath: string;
  /** `[address]:port ssh-ed25519 AAAA…`: a known_hosts line for the host key. */
  knownHostsLine: string;
  /**
   * The home directory sessions on this host see ($HOME, hence `~` for ansible): a directory of this host's own,
   * owned by the test user, so that hosts running at once (and test files running at once) do not share files.
   */
  home: string;
  /** Kills sshd and removes the host's temporary files. */
  stop(): Promise<void>;
}

/**
 * A real OpenSSH server (Debian's openssh-server) listening on `address` (loopback range, 127.0.0.1 unless
 * given) and a free port, accepting only `proxdeck-test` with a fresh key. Needs root: it creates the user
 * once, and sshd must start as root. Several hosts may run at once, on the same or different addresses.
 */
export async function startSshHost(
  options: {
    address?: string;
    /** A fixed port (several hosts on different addresses and one port, as Proxdeck's ANSIBLE_SSH_PORT wants). */
    port?: number;
    /** Another public key (`ssh-ed25519 AAAA…`) the host accepts too: one client key for several hosts. */
    authorizedKey?: string;
  } = {},
): Promise<SshHost> {
  const address = options.address ?? '127.0.0.1';
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address))
    throw new Error(`startSshHost: ${address} is not in the loopback range 127.0.0.0/8`);
  const user = await ensureTestUser();
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  // The directory holds the authorized keys, which sshd reads as the test user: it must be traversable.
  const dir = mkdtempSync(join(tmpdir(), 'proxdeck-sshd-'));
  chmodSync(dir, 0o755);
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  chownSync(home, user.uid, user.gid);
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const clientKey = join(dir, 'client_ed25519');
  const authorizedKeys = join(dir, 'authorized_keys');
  const config = join(dir, 'sshd_config');
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'proxdeck-test-host', '-f', hostKey]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'proxdeck-test-client', '-f', clientKey]);
    writeFileSync(
      authorizedKeys,
      `${readFileSync(`${clientKey}.pub`, 'utf8').trim()}\n${options.authorizedKey ? `${options.authorizedKey.trim()}\n` : ''}`,
      { mode: 0o644 },
    );
    const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');

    // The port is free when picked; another process may take it before sshd binds, so a failed start retries.
    let lastOutput = '';
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const port = options.port ?? (await freePortOn(address));
      writeFileSync(config, sshdConfig({ address, port, dir, hostKey, authorizedKeys, home }), {
        mode: 0o600,
      });
      const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const keep = (chunk: Buffer): void => {
        output = (output + chunk.toString()).slice(-20_000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
          resolve();
        }),
      );
      const running = (): boolean => child.exitCode === null && child.signalCode === null;
      const started = await waitFor(
        async () => {
          if (!running()) return false;
          return (await sshBanner(address, port)) ? true : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 50, what: `sshd on ${address}:${String(port)}` },
      ).catch(() => false);
      if (!started) {
        lastOutput = output;
        if (running()) child.kill('SIGKILL');
        await exited;
        continue;
      }
      const stop = async (): Promise<void> => {
        if (running()) {
          // Sessions still open (ansible's ControlPersist keeps one) are the listener's children: end them too,
          // so that no sshd outlives the host (nor holds the listener's output pipes open).
          await endChildren(child.pid);
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      };
      return {
        address,
        port,
        user: SSH_TEST_USER,
        privateKeyPath: clientKey,
        knownHostsLine: `[${address}]:${String(port)} ${hostPublicKey}`,
        home,
        stop,
      };
    }
    throw new Error(`sshd did not start on ${address}: ${lastOutput}`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function sshdConfig(options: {
  address: string;
  port: number;
  dir: string;
  hostKey: string;
  authorizedKeys: string;
  home: string;
}): string {
  return [
    `ListenAddress ${options.address}:${String(options.port)}`,
    `HostKey ${options.hostKey}`,
    `PidFile ${join(options.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${options.authorizedKeys}`,
    // The keys live under /tmp (world-writable), which strict modes would refuse.
    'StrictModes no',
    'UsePAM no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    `AllowUsers ${SSH_TEST_USER}`,
    // Sessions of this host live in its own home (SetEnv overrides the account's HOME).
    `SetEnv HOME=${options.home}`,
    'X11Forwarding no',
    'PrintMotd no',
    'UseDNS no',
    // Bulk runs open many sessions at once.
    'MaxStartups 100:30:200',
    'MaxSessions 50',
    'Subsystem sftp internal-sftp',
    'LogLevel INFO',
    '',
  ].join('\n');
}

let userReady: Promise<{ uid: number; gid: number }> | undefined;

/** Creates `proxdeck-test` once (idempotent across processes); resolves to its uid and gid. */
function ensureTestUser(): Promise<{ uid: number; gid: number }> {
  userReady ??= (async () => {
    const account = async (): Promise<{ uid: number; gid: number } | undefined> => {
      try {
        const { stdout } = await run('getent', ['passwd', SSH_TEST_USER]);
        const fields = stdout.trim().split(':');
        return { uid: Number(fields[2]), gid: Number(fields[3]) };
      } catch {
        return undefined;
      }
    };
    let found = await account();
    if (!found) {
      // '*' rather than useradd's locked '!': without PAM, sshd refuses a locked account even with a key.
      await run('useradd', ['--create-home', '--shell', '/bin/bash', '--password', '*', SSH_TEST_USER]).catch(
        (error: unknown) => {
          // Another test process may have created it at the same moment.
          if (!(error instanceof Error && error.message.includes('already exists'))) throw error;
        },
      );
      found = await account();
    }
    if (!found) throw new Error(`could not create the user ${SSH_TEST_USER}`);
    const { stdout: shadow } = await run('getent', ['shadow', SSH_TEST_USER]);
    if (shadow.split(':')[1]?.startsWith('!')) await run('usermod', ['--password', '*', SSH_TEST_USER]);
    return found;
  })();
  userReady.catch(() => {
    userReady = undefined;
  });
  return userReady;
}

/** SIGTERM to every process whose parent is `pid` (sshd's per-connection processes). */
async function endChildren(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const { stdout } = await run('pgrep', ['-P', String(pid)]).catch(() => ({ stdout: '' }));
  for (const line of stdout.split('\n')) {
    const child = Number(line.trim());
    if (child > 0) {
      try {
        process.kill(child, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  }
}

function freePortOn(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const bound = server.address();
      const port = typeof bound === 'object' && bound ? bound.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Whether something on address:port answers with an SSH banner. */
function sshBanner(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: address, port });
    const done = (value: boolean): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2_000, () => {
      done(false);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.once('data', (chunk) => {
      done(chunk.toString().startsWith('SSH-'));
    });
  });
}
