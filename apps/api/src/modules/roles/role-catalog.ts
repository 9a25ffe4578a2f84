import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { runProcess } from './ansible-process';
import { parseRoleMetadata, ROLE_NAME, type RoleMetadata } from './role-metadata';

/** A role found in a roles directory: its metadata when complete, else the problems with it. */
export interface CatalogEntry {
  name: string;
  directory: string;
  metadata: RoleMetadata | null;
  errors: string[];
}

export interface RoleValidation {
  valid: boolean;
  errors: string[];
}

const SYNTAX_CHECK_TIMEOUT_MS = 60_000;

/** The newest modification time of anything under `path` (files and directories), in ms. */
async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/**
 * The roles Proxdeck offers (docs/api.md §6): the directories of `ANSIBLE_DIR/roles` (and of
 * `ANSIBLE_EXTRA_ROLES_DIR`, for tests), each described by its `meta/proxdeck.yml`. Read afresh on each call (a
 * handful of small files); validation (`ansible-playbook --syntax-check`) is cached until a file of the role
 * or of the playbooks changes.
 */
@Injectable()
export class RoleCatalog {
  private readonly validations = new Map<string, { stamp: number; result: RoleValidation }>();

  constructor(private readonly config: AppConfig) {}

  /** `ANSIBLE_DIR`, absolute. */
  get ansibleDir(): string {
    return resolve(this.config.values.ANSIBLE_DIR);
  }

  /** The roles directories, shipped first. */
  get rolesDirs(): string[] {
    const extra = this.config.values.ANSIBLE_EXTRA_ROLES_DIR;
    return [join(this.ansibleDir, 'roles'), ...(extra !== undefined ? [resolve(extra)] : [])];
  }

  /** Every role directory, with its metadata or its problems; a name found twice is the first one's. */
  async entries(): Promise<CatalogEntry[]> {
    const found = new Map<string, CatalogEntry>();
    for (const directory of this.rolesDirs) {
      let names: string[];
      try {
        names = (await readdir(directory, { withFileTypes: true }))
          .filter((entry) => entry.isDirectory())
          .map((entry) => entry.name)
          .sort();
      } catch {
        continue; // no such directory: no roles from it
      }
      for (const name of names) {
        if (found.has(name) || name.startsWith('.')) continue;
        found.set(name, await this.read(name, join(directory, name)));
      }
    }
    return [...found.values()];
  }

  /** The complete roles, by name. */
  async available(): Promise<RoleMetadata[]> {
    return (await this.entries()).flatMap((entry) => (entry.metadata ? [entry.metadata] : []));
  }

  async find(name: string): Promise<CatalogEntry | null> {
    if (!ROLE_NAME.test(name)) return null;
    for (const directory of this.rolesDirs) {
      const path = join(directory, name);
      if (existsSync(join(path, 'meta')) || existsSync(join(path, 'tasks'))) return this.read(name, path);
    }
    return null;
  }

  /** Exists, metadata complete, and `ansible-playbook --syntax-check` passes (cached by modification time). */
  async validate(name: string): Promise<RoleValidation> {
    const entry = await this.find(name);
    if (!entry) return { valid: false, errors: [`no role ${name}`] };
    if (!entry.metadata) return { valid: false, errors: entry.errors };
    const stamp = Math.max(
      await newestMtime(entry.directory),
      await newestMtime(join(this.ansibleDir, 'playbooks')).catch(() => 0),
    );
    const cached = this.validations.get(entry.directory);
    if (cached?.stamp === stamp) return cached.result;
    const result = await this.syntaxCheck(entry.metadata);
    this.validations.set(entry.directory, { stamp, result });
    return result;
  }

  /** The environment every ansible-playbook run of Proxdeck gets (no secret in it). */
  ansibleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ANSIBLE_CONFIG: join(this.ansibleDir, 'ansible.cfg'),
      ANSIBLE_ROLES_PATH: this.rolesDirs.join(':'),
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      PYTHONUNBUFFERED: '1',
      ...extra,
    };
  }

  private async read(name: string, directory: string): Promise<CatalogEntry> {
    let source: string;
    try {
      source = await readFile(join(directory, 'meta', 'proxdeck.yml'), 'utf8');
    } catch {
      return { name, directory, metadata: null, errors: ['meta/proxdeck.yml is missing'] };
    }
    const hasRemove = existsSync(join(directory, 'tasks', 'remove.yml'));
    const { metadata, errors } = parseRoleMetadata(name, source, hasRemove);
    if (!existsSync(join(directory, 'tasks', 'main.yml'))) errors.push('tasks/main.yml is missing');
    return { name, directory, metadata: errors.length > 0 ? null : metadata, errors };
  }

  /**
   * `ansible-playbook --syntax-check` of a playbook that includes the role statically (its tasks, and its
   * removal tasks when it has them), so that every file of the role is parsed.
   */
  private async syntaxCheck(role: RoleMetadata): Promise<RoleValidation> {
    const dir = await mkdtemp(join(tmpdir(), 'proxdeck-syntax-'));
    try {
      const plays: unknown[] = [{ hosts: 'all', gather_facts: false, roles: [{ role: role.name }] }];
      if (role.removable)
        plays.push({
          hosts: 'all',
          gather_facts: false,
          tasks: [{ 'ansible.builtin.import_role': { name: role.name, tasks_from: 'remove' } }],
        });
      const playbook = join(dir, 'check.yml');
      await writeFile(playbook, JSON.stringify(plays), { mode: 0o600 });
      const output: string[] = [];
      const outcome = await runProcess(
        this.config.values.ANSIBLE_PLAYBOOK_BIN,
        ['--syntax-check', '-i', 'localhost,', playbook],
        {
          cwd: dir,
          env: this.ansibleEnv({ ANSIBLE_LOCAL_TEMP: join(dir, 'tmp') }),
          timeoutMs: SYNTAX_CHECK_TIMEOUT_MS,
          onLine: (line) => output.push(line),
        },
      );
      if (outcome.code === 0) return { valid: true, errors: [] };
      const text = output.filter((line) => line.trim().length > 0).slice(-20);
      return {
        valid: false,
        errors: [
          outcome.timedOut
            ? 'ansible-playbook --syntax-check did not finish in time'
            : `ansible-playbook --syntax-check failed: ${text.join('\n') || `exit ${String(outcome.code)}`}`,
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
