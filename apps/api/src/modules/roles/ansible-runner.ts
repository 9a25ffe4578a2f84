import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { runProcess, type ProcessOutcome } from './ansible-process';
import { RoleCatalog } from './role-catalog';
import type { RoleRunAction } from './role-run.entity';
import { SecretMask } from './secret-mask';

export interface AnsibleRun {
  action: RoleRunAction;
  role: string;
  /** The inventory's host name (the server's name). */
  host: string;
  address: string;
  plain: Readonly<Record<string, unknown>>;
  secret: Readonly<Record<string, string>>;
}

export interface AnsibleOutcome extends ProcessOutcome {
  /** The output's last lines (masked), for the failure text. */
  tail: string[];
}

/** Output batches: at most this often, or this many lines at once. */
const FLUSH_MS = 250;
const FLUSH_LINES = 200;
const TAIL_LINES = 15;

/** ssh's options for each host key policy (ANSIBLE_HOST_KEY_CHECKING), with Proxdeck's own known_hosts file. */
export function hostKeyArgs(policy: 'strict' | 'accept-new' | 'off', knownHosts: string): string {
  switch (policy) {
    case 'strict':
      return `-o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHosts}`;
    case 'accept-new':
      return `-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=${knownHosts}`;
    case 'off':
      return '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR';
  }
}

/**
 * Runs one role against one server with ansible-playbook (docs/api.md §6): a generated inventory (the server's
 * address, ANSIBLE_SSH_PORT, ANSIBLE_SSH_USER and ANSIBLE_SSH_KEY_FILE, the host key policy), the role and its
 * variables in a 0600 JSON file of a private temporary directory (`-e @file`; deleted after the run), the
 * program started with an argument array, never a shell, and no secret on its command line or in its
 * environment. Output goes line by line, every secret value masked, to `onOutput` in batches; past
 * ANSIBLE_RUN_TIMEOUT_S the process group is killed.
 */
@Injectable()
export class AnsibleRunner {
  constructor(
    private readonly config: AppConfig,
    private readonly catalog: RoleCatalog,
  ) {}

  async run(run: AnsibleRun, onOutput: (lines: string[]) => Promise<void>): Promise<AnsibleOutcome> {
    const settings = this.config.values;
    const mask = new SecretMask(Object.values(run.secret));
    const dir = await mkdtemp(join(tmpdir(), 'proxdeck-ansible-'));
    const dataDir = resolve(settings.DATA_DIR, 'ansible');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const tail: string[] = [];
    let pending: string[] = [];
    let flushing: Promise<void> = Promise.resolve();
    const flush = () => {
      if (pending.length === 0) return flushing;
      const batch = pending;
      pending = [];
      flushing = flushing.then(() => onOutput(batch)).catch(() => undefined);
      return flushing;
    };
    const timer = setInterval(() => void flush(), FLUSH_MS);
    const emit = (line: string) => {
      const masked = mask.apply(line);
      pending.push(masked);
      tail.push(masked);
      if (tail.length > TAIL_LINES) tail.shift();
      if (pending.length >= FLUSH_LINES) void flush();
    };
    try {
      const inventory = join(dir, 'inventory.yml');
      const host: Record<string, string | number> = {
        ansible_host: run.address,
        ansible_port: settings.ANSIBLE_SSH_PORT,
        ansible_user: settings.ANSIBLE_SSH_USER,
        ansible_ssh_common_args: hostKeyArgs(
          settings.ANSIBLE_HOST_KEY_CHECKING,
          join(dataDir, 'known_hosts'),
        ),
      };
      if (settings.ANSIBLE_SSH_KEY_FILE !== undefined)
        host.ansible_ssh_private_key_file = resolve(settings.ANSIBLE_SSH_KEY_FILE);
      await writeFile(inventory, JSON.stringify({ all: { hosts: { [run.host]: host } } }), { mode: 0o600 });
      const varsFile = join(dir, 'vars.json');
      await writeFile(
        varsFile,
        JSON.stringify({
          ...run.plain,
          ...run.secret,
          proxdeck_role: run.role,
          proxdeck_become: settings.ANSIBLE_BECOME,
        }),
        { mode: 0o600 },
      );
      const playbook = join(
        this.catalog.ansibleDir,
        'playbooks',
        run.action === 'remove' ? 'remove.yml' : 'apply.yml',
      );
      const args = ['-i', inventory, '-e', `@${varsFile}`, playbook];
      if (run.action === 'dry_run') args.push('--check', '--diff');
      emit(
        `$ ${settings.ANSIBLE_PLAYBOOK_BIN} -i inventory.yml -e @vars.json playbooks/${run.action === 'remove' ? 'remove' : 'apply'}.yml${run.action === 'dry_run' ? ' --check --diff' : ''}   # role ${run.role} on ${run.host} (${run.address})`,
      );
      const outcome = await runProcess(settings.ANSIBLE_PLAYBOOK_BIN, args, {
        cwd: dir,
        env: this.catalog.ansibleEnv({
          ANSIBLE_HOST_KEY_CHECKING: settings.ANSIBLE_HOST_KEY_CHECKING === 'off' ? 'False' : 'True',
          ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
          ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'cp'),
          // One connection per host for the run's tasks; the run's control directory goes with the run, so a
          // master kept longer (Ansible's default is 60 s) would only hold the server's session open.
          ANSIBLE_SSH_ARGS: '-C -o ControlMaster=auto -o ControlPersist=5s',
        }),
        timeoutMs: settings.ANSIBLE_RUN_TIMEOUT_S * 1000,
        onLine: emit,
      });
      if (outcome.timedOut)
        emit(
          `Proxdeck: the run took longer than ANSIBLE_RUN_TIMEOUT_S (${String(settings.ANSIBLE_RUN_TIMEOUT_S)} s) and was killed`,
        );
      return { ...outcome, tail: [...tail] };
    } finally {
      clearInterval(timer);
      await flush();
      await rm(dir, { recursive: true, force: true });
    }
  }
}
