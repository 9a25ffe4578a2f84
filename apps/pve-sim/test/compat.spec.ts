/**
 * Third-party clients against the simulator, unchanged: proxmoxer (Debian `python3-proxmoxer`) runs
 * `compat/proxmoxer_smoke.py`, and Ansible's `community.general.proxmox_kvm` (Debian `ansible`) runs
 * `compat/ansible-proxmox-kvm.yml`, both over HTTPS with certificate verification against the simulator's CA.
 * Neither is skipped when missing: the failure names the Debian packages to install.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leastPrivilegeRoles } from '@proxdeck/pve-client';
import { accessForRoles, startPveSimulator, type RunningPveSimulator, type SimTask } from '../src';

const COMPAT_DIR = join(__dirname, '..', 'compat');
const APT_PROXMOXER = 'apt-get install -y python3-proxmoxer python3-requests';
const APT_ANSIBLE = 'apt-get install -y ansible python3-proxmoxer python3-requests';
/** Debian's packages install into the system interpreter; a pyenv or venv `python3` first on PATH lacks them. */
const PYTHON =
  process.env.PVE_COMPAT_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

const TOKEN_NAME = 'compat';
const TOKEN_ID = `root@pam!${TOKEN_NAME}`;

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a command with a deadline; on expiry its whole process group is killed. */
function runChild(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; deadlineMs: number },
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.deadlineMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}

function describeFailure(what: string, result: ChildResult): string {
  const status = result.timedOut
    ? 'did not finish before its deadline'
    : `exited with ${result.code ?? result.signal ?? '?'}`;
  const tail = (text: string): string => text.split('\n').slice(-40).join('\n');
  return `${what} ${status}\n--- stderr (tail) ---\n${tail(result.stderr)}\n--- stdout (tail) ---\n${tail(result.stdout)}`;
}

/** Fails with the packages to install when a client is missing (CI installs them; nothing is skipped). */
function requireInstalled(what: string, command: string, args: string[], install: string): string {
  const probe = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) {
    const output = (probe.stderr || probe.stdout).trim().split('\n');
    const reason = probe.error ? probe.error.message : (output[output.length - 1] ?? '');
    throw new Error(`${what} is not available (${reason}). Install it with: ${install}`);
  }
  return probe.stdout.trim();
}

interface SmokeRun {
  auth: 'token' | 'password';
  user: string;
  template: number;
  source: string;
  vmid: number;
  name: string;
  target: string;
  ipconfig0: string;
  group: string;
}

function tasksOf(sim: RunningPveSimulator, type: string, id: string): SimTask[] {
  return sim.state.tasks.filter((t) => t.type === type && t.id === id);
}

/** Who the clients log in as: root, and Proxdeck's least-privilege user (README, "Least privilege on Proxmox"). */
interface Account {
  label: string;
  user: string;
  tokenName: string;
  password: string;
  tokenSecret: string;
}

describe('third-party clients, unchanged', () => {
  const rootPassword = randomBytes(12).toString('hex');
  const tokenSecret = crypto.randomUUID();
  const ROOT: Account = {
    label: 'root',
    user: 'root@pam',
    tokenName: TOKEN_NAME,
    password: rootPassword,
    tokenSecret,
  };
  const LEAST: Account = {
    label: 'least-privilege',
    user: 'proxdeck@pve',
    tokenName: 'proxdeck',
    password: randomBytes(12).toString('hex'),
    tokenSecret: crypto.randomUUID(),
  };
  const tokenIdOf = (account: Account): string => `${account.user}!${account.tokenName}`;
  let scratch: string;
  let sim: RunningPveSimulator;
  let caFile: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'pve-sim-compat-'));
    sim = await startPveSimulator({
      port: 0,
      protocol: 'https',
      certDir: join(scratch, 'certs'),
      timeScale: 0.01,
      seed: 7,
      rootPassword,
      apiToken: { id: TOKEN_ID, secret: tokenSecret },
      ...accessForRoles(
        leastPrivilegeRoles('9.2'),
        { userid: LEAST.user, password: LEAST.password },
        { id: tokenIdOf(LEAST), secret: LEAST.tokenSecret },
      ),
    });
    if (sim.caFile === undefined) throw new Error('the simulator wrote no CA file');
    caFile = sim.caFile;
  });

  afterAll(async () => {
    await sim.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A minimal environment, so nothing from the caller's shell (a CA bundle, an ansible.cfg) leaks in. */
  function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: scratch,
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      PYTHONDONTWRITEBYTECODE: '1',
      ...extra,
    };
  }

  function smoke(extraArgs: string[] = [], account: Account = ROOT): Promise<ChildResult> {
    return runChild(
      PYTHON,
      [
        join(COMPAT_DIR, 'proxmoxer_smoke.py'),
        '--host',
        '127.0.0.1',
        '--port',
        String(sim.port),
        '--ca-file',
        caFile,
        '--user',
        account.user,
        '--token-id',
        tokenIdOf(account),
        '--task-deadline',
        '30',
        ...extraArgs,
      ],
      {
        cwd: scratch,
        env: baseEnv({ PVE_PASSWORD: account.password, PVE_TOKEN_SECRET: account.tokenSecret }),
        deadlineMs: 90_000,
      },
    );
  }

  describe('proxmoxer', () => {
    beforeAll(() => {
      requireInstalled(
        `proxmoxer for ${PYTHON}`,
        PYTHON,
        ['-c', 'import proxmoxer, requests; print(proxmoxer.__version__)'],
        APT_PROXMOXER,
      );
    });

    it.each([ROOT, LEAST])(
      'clones, configures, starts, stops and deletes a VM and writes firewall groups, with a token and with a ticket, as $label',
      async (account) => {
        const result = await smoke([], account);
        if (result.code !== 0) throw new Error(describeFailure('proxmoxer_smoke.py', result));
        const lastLine = result.stdout.trim().split('\n').pop() ?? '';
        const summary = JSON.parse(lastLine) as { ok: boolean; runs: SmokeRun[] };
        expect(summary.ok).toBe(true);
        expect(summary.runs.map((r) => [r.auth, r.user])).toEqual([
          ['token', tokenIdOf(account)],
          ['password', account.user],
        ]);

        for (const run of summary.runs) {
          expect(run).toMatchObject({ template: 9000, source: 'pve2' });
          expect(run.target).not.toBe('pve2');
          // The clone really ran in the simulator, as this user, and the VM went through its whole life.
          const clone = tasksOf(sim, 'qmclone', '9000').find((t) => t.user === run.user);
          expect(clone).toMatchObject({ node: 'pve2', status: 'stopped', exitstatus: 'OK' });
          expect(clone?.log.join('\n')).toContain(
            `create full clone of drive scsi0 (ssd-pool:base-9000-disk-0)`,
          );
          for (const type of ['qmstart', 'qmstop', 'qmdestroy']) {
            const task = tasksOf(sim, type, String(run.vmid)).find((t) => t.user === run.user);
            expect({ type, node: task?.node, exitstatus: task?.exitstatus }).toEqual({
              type,
              node: run.target,
              exitstatus: 'OK',
            });
          }
          const group = sim.state.firewallGroups.find((g) => g.group === run.group);
          expect(group?.rules).toEqual([
            expect.objectContaining({ type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '22', enable: 1 }),
          ]);
        }
        // Deleted with purge: no VM or volume of the clones is left.
        const vmids = summary.runs.map((r) => r.vmid);
        expect(sim.state.vms.filter((v) => vmids.includes(v.vmid))).toEqual([]);
        expect(sim.state.volumes.filter((v) => v.vmid !== undefined && vmids.includes(v.vmid))).toEqual([]);
      },
      120_000,
    );

    it('fails, with the reason, when a task fails', async () => {
      sim.setFaults({ failTasks: { qmclone: 'clone failed: injected by the compat test' } });
      try {
        const result = await smoke(['--only', 'token']);
        expect({ code: result.code, timedOut: result.timedOut }).toEqual({ code: 1, timedOut: false });
        expect(result.stderr).toContain('MISMATCH: clone failed');
        expect(result.stderr).toContain('clone failed: injected by the compat test');
      } finally {
        sim.setFaults({});
      }
    }, 120_000);
  });

  describe('Ansible community.general.proxmox_kvm', () => {
    let ansibleEnv: NodeJS.ProcessEnv;

    beforeAll(() => {
      requireInstalled('ansible-playbook', 'ansible-playbook', ['--version'], APT_ANSIBLE);
      requireInstalled(
        'the community.general collection with proxmox_kvm',
        'ansible-doc',
        ['-t', 'module', '--json', 'community.general.proxmox_kvm'],
        APT_ANSIBLE,
      );
      requireInstalled(
        `proxmoxer for ${PYTHON} (the module's interpreter)`,
        PYTHON,
        ['-c', 'import proxmoxer, requests'],
        APT_ANSIBLE,
      );
      const ansibleTmp = join(scratch, 'ansible');
      mkdirSync(ansibleTmp, { recursive: true });
      ansibleEnv = baseEnv({
        // community.general 6.x has no CA option: requests takes the CA from here when validate_certs is on.
        REQUESTS_CA_BUNDLE: caFile,
        ANSIBLE_PYTHON_INTERPRETER: PYTHON,
        ANSIBLE_LOCAL_TEMP: join(ansibleTmp, 'local'),
        ANSIBLE_REMOTE_TEMP: join(ansibleTmp, 'remote'),
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
      });
    });

    function playbook(extraArgs: string[], account: Account): Promise<ChildResult> {
      return runChild(
        'ansible-playbook',
        [
          '-i',
          'localhost,',
          '-c',
          'local',
          join(COMPAT_DIR, 'ansible-proxmox-kvm.yml'),
          '-e',
          `pve_api_host=127.0.0.1:${sim.port}`,
          '-e',
          `pve_api_user=${account.user}`,
          ...extraArgs,
        ],
        {
          cwd: scratch,
          env: { ...ansibleEnv, PVE_TOKEN_NAME: account.tokenName, PVE_TOKEN_SECRET: account.tokenSecret },
          deadlineMs: 150_000,
        },
      );
    }

    it.each([ROOT, LEAST])(
      'clones a template to another node, updates, starts and stops it, then removes it, as $label',
      async (account) => {
        const before = new Set(sim.state.tasks.map((t) => t.upid));
        const newTasks = (type: string, id: string): SimTask[] =>
          tasksOf(sim, type, id).filter((t) => !before.has(t.upid));
        const result = await playbook([], account);
        if (result.code !== 0) throw new Error(describeFailure('ansible-playbook', result));
        const match = /PVE_COMPAT_RESULT vmid=(\d+) name=([\w.-]+) node=([\w.-]+)/.exec(result.stdout);
        if (!match) throw new Error(describeFailure('ansible-playbook printed no result line;', result));
        const vmid = Number(match[1]);
        expect({ name: match[2], node: match[3] }).toEqual({ name: 'ansible-compat', node: 'pve3' });

        // The clone is in the simulator: on the target node, on its own disk, configured, stopped, unlocked.
        const vm = sim.state.vms.find((v) => v.vmid === vmid);
        expect(vm).toBeDefined();
        expect(vm?.node).toBe('pve3');
        expect(vm?.running).toBe(false);
        expect(vm?.config).toMatchObject({
          name: 'ansible-compat',
          cores: '2',
          memory: '3072',
          ciuser: 'ansible',
          ipconfig0: 'ip=10.20.40.50/24,gw=10.20.40.1',
          scsi0: expect.stringContaining(`ssd-pool:vm-${vmid}-disk-0`) as unknown,
        });
        expect(vm?.config.lock).toBeUndefined();
        expect(sim.state.volumes.map((v) => v.volid)).toContain(`ssd-pool:vm-${vmid}-disk-0`);
        expect(newTasks('qmclone', '9000').map((t) => [t.node, t.user, t.exitstatus])).toEqual([
          ['pve2', tokenIdOf(account), 'OK'],
        ]);
        // Ansible shuts down through ACPI (status/shutdown), not a hard stop.
        expect(newTasks('qmshutdown', String(vmid)).map((t) => t.exitstatus)).toEqual(['OK']);

        const cleanup = await playbook(['--tags', 'cleanup'], account);
        if (cleanup.code !== 0) throw new Error(describeFailure('ansible-playbook --tags cleanup', cleanup));
        expect(sim.state.vms.find((v) => v.vmid === vmid)).toBeUndefined();
        expect(newTasks('qmdestroy', String(vmid)).map((t) => t.exitstatus)).toEqual(['OK']);
      },
      300_000,
    );
  });
});
