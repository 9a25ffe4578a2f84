import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSshHost, WORKSPACE_ROOT, type SshHost } from '@proxdeck/testing';

/**
 * The Ansible content Proxdeck ships (ansible/, docs/api.md §6): every role passes ansible-playbook
 * --syntax-check and ansible-lint, its metadata (meta/proxdeck.yml) is complete and agrees with the role, the
 * test role really changes a host over SSH, and every shipped role runs in check mode against a real sshd as an
 * unprivileged user.
 */

const run = promisify(execFile);
const ANSIBLE_DIR = join(WORKSPACE_ROOT, 'ansible');
const ROLES_DIR = join(ANSIBLE_DIR, 'roles');
const TEST_ROLES_DIR = join(ANSIBLE_DIR, 'test-roles');
const ROLE_NAME = /^[a-z][a-z0-9_]*$/;
/** The interpreter of Debian's ansible-playbook (the one that can import ansible). */
const PYTHON = '/usr/bin/python3';
const OS = ['debian', 'ubuntu', 'rocky'];
const TYPES = ['string', 'integer', 'boolean', 'list'];

interface Role {
  name: string;
  dir: string;
  shipped: boolean;
}

function rolesIn(dir: string, shipped: boolean): Role[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort()
    .map((name) => ({ name, dir: join(dir, name), shipped }));
}

const SHIPPED = rolesIn(ROLES_DIR, true);
const TEST_ROLES = rolesIn(TEST_ROLES_DIR, false);
const ALL_ROLES = [...SHIPPED, ...TEST_ROLES];

/** Files under `dir` (recursive), relative paths. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort();
}

/** YAML files parsed by PyYAML, the parser Ansible itself uses (keys: the paths given). */
async function loadYaml(paths: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(PYTHON, [
    '-c',
    'import json, sys, yaml\nprint(json.dumps({p: yaml.safe_load(open(p, encoding="utf-8")) for p in sys.argv[1:]}))',
    ...paths,
  ]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

/**
 * Renders templates with Ansible's own Templar (its filters, undefined variables as errors), without a host.
 * Each item: a template file or a text, and the variables; the answer: the text or the error, by key.
 */
async function renderTemplates(
  items: { key: string; path?: string; text?: string; vars: Record<string, unknown> }[],
): Promise<Record<string, { text?: string; error?: string }>> {
  const script = [
    'import json, sys',
    'from ansible.parsing.dataloader import DataLoader',
    'from ansible.template import Templar',
    'out = {}',
    'for item in json.load(sys.stdin):',
    '    templar = Templar(loader=DataLoader(), variables=item["vars"])',
    '    source = item["text"] if "text" in item else open(item["path"], encoding="utf-8").read()',
    '    try:',
    '        out[item["key"]] = {"text": templar.template(source, preserve_trailing_newlines=True, escape_backslashes=False)}',
    '    except Exception as error:',
    '        out[item["key"]] = {"error": str(error)}',
    'print(json.dumps(out))',
  ].join('\n');
  const result = await new Promise<string>((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`template rendering failed (${String(code)}): ${stderr}`));
    });
    child.stdin.end(JSON.stringify(items));
  });
  return JSON.parse(result) as Record<string, { text?: string; error?: string }>;
}

interface Variable {
  name: string;
  type: string;
  default?: unknown;
  required: boolean;
  secret: boolean;
  description: string;
  description_ko: string;
}
interface Metadata {
  label: string;
  label_ko: string;
  description: string;
  description_ko: string;
  os_support: string[];
  removable: boolean;
  variables: Variable[];
}

type Task = Record<string, unknown>;

/** Every task of a task list, with whether it or an enclosing block sets no_log. */
function flattenTasks(tasks: unknown, inheritedNoLog = false): { task: Task; noLog: boolean }[] {
  if (!Array.isArray(tasks)) return [];
  return (tasks as Task[]).flatMap((task) => {
    const noLog = inheritedNoLog || task.no_log === true;
    const nested = ['block', 'rescue', 'always'].flatMap((key) => flattenTasks(task[key], noLog));
    const own = Object.fromEntries(
      Object.entries(task).filter(([key]) => !['block', 'rescue', 'always'].includes(key)),
    );
    return [{ task: own, noLog }, ...nested];
  });
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  if (typeof value === 'string') return 'string';
  return typeof value;
}

/** The role's variable prefix: the role name (test roles drop their proxdeck_), then an underscore. */
function prefixOf(role: Role): string {
  return `${role.name.replace(/^proxdeck_/, '')}_`;
}

function ansibleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ANSIBLE_CONFIG: join(ANSIBLE_DIR, 'ansible.cfg'),
    ANSIBLE_ROLES_PATH: `${ROLES_DIR}:${TEST_ROLES_DIR}`,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ...extra,
  };
}

/** Runs a command to its end; never rejects: the exit code and the combined output are the result. */
function runToEnd(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the Ansible roles Proxdeck ships (ansible/)', () => {
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'proxdeck-roles-spec-'));
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('ships at least web, db, was, search, ftp and node_exporter, and the test roles', () => {
    expect(SHIPPED.map((role) => role.name)).toEqual(
      expect.arrayContaining(['web', 'db', 'was', 'search', 'ftp', 'node_exporter']),
    );
    expect(TEST_ROLES.map((role) => role.name)).toEqual(
      expect.arrayContaining(['proxdeck_marker', 'proxdeck_sleep']),
    );
    for (const role of ALL_ROLES) expect(role.name).toMatch(ROLE_NAME);
  });

  describe('ansible-playbook --syntax-check', () => {
    it.each(ALL_ROLES.map((role) => [role.name, role] as const))(
      '%s: its tasks and removal tasks pass',
      async (_name, role) => {
        // Static imports, so that the syntax check reads the role's files (include_role would defer them).
        const playbook = join(work, `syntax-${role.name}.yml`);
        const hasRemove = existsSync(join(role.dir, 'tasks/remove.yml'));
        writeFileSync(
          playbook,
          [
            '- hosts: all',
            '  gather_facts: false',
            '  tasks:',
            `    - ansible.builtin.import_role: { name: ${role.name} }`,
            ...(hasRemove
              ? [`    - ansible.builtin.import_role: { name: ${role.name}, tasks_from: remove }`]
              : []),
            '',
          ].join('\n'),
        );
        const result = await runToEnd('ansible-playbook', ['--syntax-check', '-i', 'localhost,', playbook], {
          env: ansibleEnv(),
        });
        expect(result).toMatchObject({ code: 0 });
      },
    );

    it('the apply and remove playbooks pass', async () => {
      for (const playbook of ['apply.yml', 'remove.yml']) {
        const result = await runToEnd(
          'ansible-playbook',
          [
            '--syntax-check',
            '-i',
            'localhost,',
            '-e',
            'proxdeck_role=proxdeck_marker',
            join(ANSIBLE_DIR, 'playbooks', playbook),
          ],
          { env: ansibleEnv() },
        );
        expect(result).toMatchObject({ code: 0 });
      }
    });
  });

  describe('ansible-lint (ansible/.ansible-lint, production profile)', () => {
    it('passes over every role and playbook', async () => {
      const result = await runToEnd('ansible-lint', ['--nocolor', '-f', 'pep8'], {
        cwd: ANSIBLE_DIR,
        env: ansibleEnv(),
        timeoutMs: 120_000,
      });
      expect(result).toMatchObject({ code: 0 });
      // Every role's files were linted, not an empty selection.
      const counted = /on (\d+) files/.exec(result.output);
      expect(Number(counted?.[1])).toBeGreaterThanOrEqual(ALL_ROLES.length * 3);
    }, 150_000);

    it('fails on a role with a real finding (the configuration lints the roles)', async () => {
      const copy = join(work, 'lint-copy');
      cpSync(ANSIBLE_DIR, copy, { recursive: true });
      writeFileSync(
        join(copy, 'roles/web/tasks/remove.yml'),
        `${readFileSync(join(copy, 'roles/web/tasks/remove.yml'), 'utf8')}\n- shell: rm -rf /tmp/x\n`,
      );
      const result = await runToEnd('ansible-lint', ['--nocolor', '-f', 'pep8'], {
        cwd: copy,
        env: ansibleEnv(),
      });
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/roles\/web\/tasks\/remove\.yml/);
    }, 150_000);
  });

  describe('metadata (meta/proxdeck.yml)', () => {
    it.each(ALL_ROLES.map((role) => [role.name, role] as const))(
      '%s: complete, and consistent with the role',
      async (_name, role) => {
        const metaPath = join(role.dir, 'meta/proxdeck.yml');
        const defaultsPath = join(role.dir, 'defaults/main.yml');
        const taskFiles = [
          ...filesUnder(join(role.dir, 'tasks')).map((file) => join(role.dir, 'tasks', file)),
          ...filesUnder(join(role.dir, 'handlers')).map((file) => join(role.dir, 'handlers', file)),
        ];
        const varFiles = filesUnder(join(role.dir, 'vars')).map((file) => join(role.dir, 'vars', file));
        const templateFiles = filesUnder(join(role.dir, 'templates')).map((file) =>
          join(role.dir, 'templates', file),
        );
        const parsed = await loadYaml([
          metaPath,
          ...(existsSync(defaultsPath) ? [defaultsPath] : []),
          ...taskFiles,
          ...varFiles,
        ]);
        const meta = parsed[metaPath] as Metadata;
        const defaults = (parsed[defaultsPath] ?? {}) as Record<string, unknown>;

        // Required fields, in both languages.
        for (const key of ['label', 'label_ko', 'description', 'description_ko'] as const)
          expect(typeof meta[key] === 'string' && meta[key].trim().length > 0).toBe(true);
        expect(meta.label_ko).toMatch(/[\uac00-\ud7a3]/);
        expect(meta.description_ko).toMatch(/[\uac00-\ud7a3]/);
        expect(Array.isArray(meta.os_support) && meta.os_support.length > 0).toBe(true);
        for (const os of meta.os_support) expect(OS).toContain(os);
        if (role.shipped) expect([...meta.os_support].sort()).toEqual([...OS].sort());
        expect(meta.removable).toBe(existsSync(join(role.dir, 'tasks/remove.yml')));
        expect(Array.isArray(meta.variables)).toBe(true);

        const prefix = prefixOf(role);
        const names = meta.variables.map((variable) => variable.name);
        expect(new Set(names).size).toBe(names.length);
        for (const variable of meta.variables) {
          const where = `${role.name}.${variable.name}`;
          expect({ where, name: variable.name.startsWith(prefix) }).toEqual({ where, name: true });
          expect(variable.name).toMatch(/^[a-z][a-z0-9_]*$/);
          expect(TYPES).toContain(variable.type);
          expect(typeof variable.required).toBe('boolean');
          expect(typeof variable.secret).toBe('boolean');
          expect(variable.description.trim().length).toBeGreaterThan(0);
          expect(variable.description_ko).toMatch(/[\uac00-\ud7a3]/);
          if (variable.secret || variable.required) {
            // No secret (and nothing required) has a default, in the metadata or in the role.
            expect({ where, metaDefault: 'default' in variable }).toEqual({ where, metaDefault: false });
            expect({ where, roleDefault: variable.name in defaults }).toEqual({ where, roleDefault: false });
          } else {
            expect({ where, metaDefault: 'default' in variable }).toEqual({ where, metaDefault: true });
            expect({ where, type: typeOf(variable.default) }).toEqual({ where, type: variable.type });
            expect({ where, roleDefault: defaults[variable.name] }).toEqual({
              where,
              roleDefault: variable.default,
            });
          }
        }
        // defaults/main.yml holds nothing the metadata does not declare.
        for (const key of Object.keys(defaults))
          expect({ role: role.name, declared: names.includes(key) ? key : null }).toEqual({
            role: role.name,
            declared: key,
          });
        // vars/ holds only internal variables (__<prefix>…): a user variable there would hide its default.
        for (const file of varFiles)
          for (const key of Object.keys(parsed[file] ?? {}))
            expect({ file, key, internal: key.startsWith(`__${prefix}`) }).toEqual({
              file,
              key,
              internal: true,
            });

        // Every variable of the role's prefix that the role uses is declared, and every declared one is used.
        const sources = [...taskFiles, ...varFiles, ...templateFiles]
          .map((file) => readFileSync(file, 'utf8'))
          .join('\n');
        const used = new Set(
          [...sources.matchAll(new RegExp(`(?<![\\w.])${prefix}[a-z0-9_]+`, 'g'))].map((match) => match[0]),
        );
        expect([...used].filter((name) => !names.includes(name)).sort()).toEqual([]);
        expect(names.filter((name) => !used.has(name)).sort()).toEqual([]);

        // Every task that handles a secret (directly, or through the template it renders) sets no_log.
        const secrets = meta.variables.filter((variable) => variable.secret).map((variable) => variable.name);
        const mentionsSecret = (text: string): boolean =>
          secrets.some((secret) => new RegExp(`(?<![\\w.])${secret}(?![\\w])`).test(text));
        for (const file of taskFiles) {
          for (const { task, noLog } of flattenTasks(parsed[file])) {
            const module = (task['ansible.builtin.template'] ?? task.template) as
              { src?: string } | undefined;
            const template = module?.src ? readFileSync(join(role.dir, 'templates', module.src), 'utf8') : '';
            if (mentionsSecret(JSON.stringify(task)) || mentionsSecret(template))
              expect({ file, task: task.name, noLog }).toEqual({ file, task: task.name, noLog: true });
          }
        }
      },
    );
  });

  describe('templates, rendered by Ansible for Debian and for Rocky Linux', () => {
    // Check runs skip the templates of a role whose package is only pending: render them all here instead.
    const SECRETS: Record<string, Record<string, unknown>> = {
      db: { db_root_password: 'root "pw" \\ end', db_user_password: 'user-pw' },
      search: { search_admin_password: 'Admin-Pw-1!' },
      ftp: { ftp_user_password: 'ftp-pw' },
      was: { was_secret_key: 'key with "quotes"' },
    };

    async function renderRole(
      role: Role,
      family: 'Debian' | 'RedHat',
      overrides: Record<string, unknown> = {},
    ) {
      const defaultsPath = join(role.dir, 'defaults/main.yml');
      const varFiles = ['main.yml', `${family}.yml`]
        .map((file) => join(role.dir, 'vars', file))
        .filter((file) => existsSync(file));
      const parsed = await loadYaml([...(existsSync(defaultsPath) ? [defaultsPath] : []), ...varFiles]);
      const vars: Record<string, unknown> = {
        ansible_managed: 'Ansible managed',
        inventory_hostname: 'server-1',
        ansible_os_family: family,
        ansible_architecture: 'x86_64',
        ...(parsed[defaultsPath] ?? {}),
        ...varFiles.reduce<Record<string, unknown>>(
          (all, file) => ({ ...all, ...((parsed[file] ?? {}) as Record<string, unknown>) }),
          {},
        ),
        ...(SECRETS[role.name] ?? {}),
        ...overrides,
      };
      const templates = filesUnder(join(role.dir, 'templates'));
      const internal = varFiles.flatMap((file) => Object.keys(parsed[file] ?? {}));
      const rendered = await renderTemplates([
        ...templates.map((file) => ({ key: file, path: join(role.dir, 'templates', file), vars })),
        ...internal.map((key) => ({ key: `vars:${key}`, text: `{{ ${key} }}`, vars })),
      ]);
      const errors = Object.entries(rendered).filter(([, value]) => value.error !== undefined);
      expect({ role: role.name, family, errors }).toEqual({ role: role.name, family, errors: [] });
      return Object.fromEntries(Object.entries(rendered).map(([key, value]) => [key, value.text ?? '']));
    }

    it.each(
      SHIPPED.flatMap((role) =>
        (['Debian', 'RedHat'] as const).map((family) => [role.name, family, role] as const),
      ),
    )(
      '%s on %s: every template and internal variable renders with the defaults',
      async (_name, family, role) => {
        await renderRole(role, family);
      },
    );

    it("web: the site listens on web_listen_port and serves web_root; nginx runs as the distribution's user", async () => {
      const web = SHIPPED.find((role) => role.name === 'web')!;
      const debian = await renderRole(web, 'Debian', { web_listen_port: 8081, web_root: '/srv/site' });
      expect(debian['proxdeck-site.conf.j2']).toContain('listen 8081 default_server;');
      expect(debian['proxdeck-site.conf.j2']).toContain('root /srv/site;');
      expect(debian['nginx.conf.j2']).toContain('user www-data;');
      expect((await renderRole(web, 'RedHat'))['nginx.conf.j2']).toContain('user nginx;');
    });

    it('db: the settings carry the variables; the root password is escaped for the option file', async () => {
      const db = SHIPPED.find((role) => role.name === 'db')!;
      const rendered = await renderRole(db, 'Debian', { db_bind_address: '0.0.0.0', db_port: 3307 });
      expect(rendered['proxdeck.cnf.j2']).toContain('bind-address = 0.0.0.0');
      expect(rendered['proxdeck.cnf.j2']).toContain('port = 3307');
      expect(rendered['root-my.cnf.j2']).toContain('password = "root \\"pw\\" \\\\ end"');
    });

    it('was: the unit runs the start script as the app user; SECRET_KEY only when given', async () => {
      const was = SHIPPED.find((role) => role.name === 'was')!;
      const rendered = await renderRole(was, 'Debian', { was_app_name: 'shop', was_port: 9000 });
      expect(rendered['app.service.j2']).toContain('User=shop');
      expect(rendered['app.service.j2']).toContain('ExecStart=/opt/proxdeck-app/start.sh');
      expect(rendered['start.sh.j2']).toContain('exec python -m http.server $PORT');
      expect(rendered['app.env.j2']).toContain('PORT=9000');
      expect(rendered['app.env.j2']).toContain('SECRET_KEY="key with \\"quotes\\""');
      const withoutSecret = await renderRole(was, 'RedHat', { was_secret_key: '' });
      expect(withoutSecret['app.env.j2']).not.toContain('SECRET_KEY');
    });

    it("ftp: booleans become YES/NO; the chroot directory is the distribution's", async () => {
      const ftp = SHIPPED.find((role) => role.name === 'ftp')!;
      const debian = await renderRole(ftp, 'Debian');
      expect(debian['vsftpd.conf.j2']).toMatch(/^anonymous_enable=NO$/m);
      expect(debian['vsftpd.conf.j2']).toMatch(/^allow_writeable_chroot=YES$/m);
      expect(debian['vsftpd.conf.j2']).toMatch(/^secure_chroot_dir=\/var\/run\/vsftpd\/empty$/m);
      const rocky = await renderRole(ftp, 'RedHat', { ftp_write_enable: false, ftp_listen_port: 2121 });
      expect(rocky['vsftpd.conf.j2']).toMatch(/^write_enable=NO$/m);
      expect(rocky['vsftpd.conf.j2']).not.toContain('allow_writeable_chroot');
      expect(rocky['vsftpd.conf.j2']).toMatch(/^listen_port=2121$/m);
      expect(rocky['vsftpd.conf.j2']).toMatch(/^secure_chroot_dir=\/usr\/share\/empty$/m);
    });

    it("ftp: the FTP user's password hash is the same on every run (the user task stays unchanged)", async () => {
      const ftp = SHIPPED.find((role) => role.name === 'ftp')!;
      const tasks = (await loadYaml([join(ftp.dir, 'tasks/main.yml')]))[join(ftp.dir, 'tasks/main.yml')];
      const userTask = flattenTasks(tasks).find(({ task }) => 'ansible.builtin.user' in task);
      const expression = (userTask?.task['ansible.builtin.user'] as { password: string }).password;
      const vars = { ftp_user: 'uploader', ftp_user_password: 'ftp-pw', inventory_hostname: 'server-1' };
      const rendered = await renderTemplates([
        { key: 'first', text: expression, vars },
        { key: 'second', text: expression, vars },
        { key: 'other host', text: expression, vars: { ...vars, inventory_hostname: 'server-2' } },
      ]);
      expect(rendered.first?.text).toMatch(/^\$6\$/);
      expect(rendered.second?.text).toBe(rendered.first?.text);
      expect(rendered['other host']?.text).not.toBe(rendered.first?.text);
      expect(userTask?.noLog).toBe(true);
    });

    it('node_exporter: the listen address and flags; the Rocky release URL for the architecture', async () => {
      const role = SHIPPED.find((candidate) => candidate.name === 'node_exporter')!;
      const debian = await renderRole(role, 'Debian', { node_exporter_extra_args: ['--collector.systemd'] });
      expect(debian['args.j2']).toContain('ARGS="--web.listen-address=:9100 --collector.systemd"');
      const rocky = await renderRole(role, 'RedHat', {
        node_exporter_listen_port: 9200,
        ansible_architecture: 'aarch64',
      });
      expect(rocky['args.j2']).toContain('ARGS="--web.listen-address=:9200"');
      expect(rocky['vars:__node_exporter_release']).toBe('node_exporter-1.8.2.linux-arm64');
      expect(rocky['node_exporter.service.j2']).toContain('EnvironmentFile=/etc/sysconfig/node_exporter');
    });

    it('search: the heap size goes to -Xms and -Xmx; the repository follows the major version', async () => {
      const search = SHIPPED.find((role) => role.name === 'search')!;
      const rendered = await renderRole(search, 'Debian', {
        search_heap_size: '2g',
        search_major_version: 2,
      });
      expect(rendered['heap.options.j2']).toMatch(/^-Xms2g$/m);
      expect(rendered['heap.options.j2']).toMatch(/^-Xmx2g$/m);
      expect(rendered['vars:__search_repo_url']).toBe(
        'https://artifacts.opensearch.org/releases/bundle/opensearch/2.x',
      );
    });
  });

  describe('runs over SSH against a real host (an unprivileged user, no become)', () => {
    let host: SshHost;
    let inventory: string;

    beforeAll(async () => {
      host = await startSshHost({ address: '127.0.0.41' });
      const knownHosts = join(work, 'known_hosts');
      writeFileSync(knownHosts, `${host.knownHostsLine}\n`);
      inventory = join(work, 'inventory.ini');
      writeFileSync(
        inventory,
        [
          '[all]',
          `target ansible_host=${host.address} ansible_port=${String(host.port)} ansible_user=${host.user} ` +
            `ansible_ssh_private_key_file=${host.privateKeyPath} ` +
            `ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes'`,
          '',
        ].join('\n'),
      );
    });
    afterAll(async () => {
      rmSync(join(host.home, 'proxdeck-marker'), { force: true });
      await host.stop();
    });

    /** Runs playbooks/<playbook> with `vars` in a 0600 file passed as -e @file, the way Proxdeck's runner does. */
    async function playbook(
      name: 'apply.yml' | 'remove.yml',
      vars: Record<string, unknown>,
      extraArgs: string[] = [],
    ): Promise<{ code: number | null; output: string }> {
      const varsDir = mkdtempSync(join(work, 'vars-'));
      const varsFile = join(varsDir, 'vars.json');
      writeFileSync(varsFile, JSON.stringify({ proxdeck_become: false, ...vars }), { mode: 0o600 });
      try {
        return await runToEnd(
          'ansible-playbook',
          ['-i', inventory, '-e', `@${varsFile}`, ...extraArgs, join(ANSIBLE_DIR, 'playbooks', name)],
          { env: ansibleEnv(), timeoutMs: 180_000 },
        );
      } finally {
        rmSync(varsDir, { recursive: true, force: true });
      }
    }

    const markerPath = (): string => join(host.home, 'proxdeck-marker');
    const secret = `marker-secret-${createHash('sha256').update(String(Date.now())).digest('hex').slice(0, 12)}`;

    it('the marker role writes ~/proxdeck-marker, again without change, and its removal deletes it', async () => {
      rmSync(markerPath(), { force: true });
      // The process list, read every 100 ms during the run: the secret never shows on a command line.
      const state = { running: true };
      const commandLines: string[] = [];
      const watcher = (async () => {
        while (state.running) {
          commandLines.push((await run('ps', ['-eo', 'args'])).stdout);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const applied = await playbook('apply.yml', {
        proxdeck_role: 'proxdeck_marker',
        marker_text: 'hello from the spec',
        marker_secret: secret,
      }).finally(() => {
        state.running = false;
      });
      await watcher;
      expect(commandLines.length).toBeGreaterThan(3);
      expect(commandLines.some((list) => list.includes('ansible-playbook'))).toBe(true);
      expect(commandLines.filter((list) => list.includes(secret))).toEqual([]);
      expect(applied).toMatchObject({ code: 0 });
      expect(applied.output).toMatch(/changed=1\b/);
      expect(readFileSync(markerPath(), 'utf8')).toBe(
        `hello from the spec\n${createHash('sha256').update(secret).digest('hex')}\n`,
      );
      const marker = statSync(markerPath());
      expect(marker.uid).not.toBe(0);
      expect(applied.output).not.toContain(secret);

      const again = await playbook('apply.yml', {
        proxdeck_role: 'proxdeck_marker',
        marker_text: 'hello from the spec',
        marker_secret: secret,
      });
      expect(again).toMatchObject({ code: 0 });
      expect(again.output).toMatch(/changed=0\b/);

      const removed = await playbook('remove.yml', {
        proxdeck_role: 'proxdeck_marker',
        marker_secret: secret,
      });
      expect(removed).toMatchObject({ code: 0 });
      expect(existsSync(markerPath())).toBe(false);
    }, 120_000);

    it('a failing marker run (marker_fail) exits non-zero with the failing task in its output, changing nothing', async () => {
      writeFileSync(markerPath(), 'before\n');
      const failed = await playbook('apply.yml', {
        proxdeck_role: 'proxdeck_marker',
        marker_secret: secret,
        marker_fail: true,
      });
      expect(failed.code).not.toBe(0);
      expect(failed.output).toContain('failed on purpose because marker_fail is true');
      expect(failed.output).toMatch(/failed=1\b/);
      expect(failed.output).not.toContain(secret);
      expect(readFileSync(markerPath(), 'utf8')).toBe('before\n');
      rmSync(markerPath(), { force: true });
    }, 120_000);

    it('the marker role without its required secret fails without writing anything', async () => {
      const failed = await playbook('apply.yml', { proxdeck_role: 'proxdeck_marker' });
      expect(failed.code).not.toBe(0);
      expect(existsSync(markerPath())).toBe(false);
    }, 120_000);

    it('the sleep role sleeps sleep_seconds on the host (also in check mode)', async () => {
      const begin = Date.now();
      const slept = await playbook('apply.yml', { proxdeck_role: 'proxdeck_sleep', sleep_seconds: 3 }, [
        '--check',
      ]);
      expect(slept).toMatchObject({ code: 0 });
      expect(Date.now() - begin).toBeGreaterThanOrEqual(3_000);
      expect(slept.output).toContain('Sleep for sleep_seconds');
    }, 120_000);

    // Values for the required secrets (check mode never applies them).
    const CHECK_VARS: Record<string, Record<string, unknown>> = {
      db: {
        db_root_password: 'Check-Root-Pw-1',
        db_name: 'appdb',
        db_user: 'app',
        db_user_password: 'Check-User-Pw-1',
      },
      search: { search_admin_password: 'Check-Admin-Pw-1!' },
      ftp: { ftp_user: 'ftpcheck', ftp_user_password: 'Check-Ftp-Pw-1' },
      was: { was_secret_key: 'Check-Secret-Key-1', was_pip_packages: ['gunicorn'] },
    };

    it('every shipped role, and its removal, runs in check mode (--check --diff) and exits 0, two at a time', async () => {
      const started = Date.now();
      // Files and packages of this machine that the check runs would change (node_exporter, db are installed here).
      const nodeExporterArgs = '/etc/default/prometheus-node-exporter';
      const argsBefore = existsSync(nodeExporterArgs) ? readFileSync(nodeExporterArgs, 'utf8') : null;
      const installed = async (name: string): Promise<boolean> =>
        (await runToEnd('dpkg-query', ['-W', '-f=${Status}', name])).output.includes('install ok installed');
      const packagesBefore = await Promise.all(['mariadb-server', 'prometheus-node-exporter'].map(installed));
      const results: {
        role: string;
        secrets: Record<string, unknown>;
        code: number | null;
        output: string;
        seconds: number;
      }[] = [];
      const queue = SHIPPED.flatMap((role) => [
        { role, playbook: 'apply.yml' as const },
        { role, playbook: 'remove.yml' as const },
      ]);
      const worker = async (): Promise<void> => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          const begin = Date.now();
          const vars = CHECK_VARS[job.role.name] ?? {};
          const result = await playbook(job.playbook, { proxdeck_role: job.role.name, ...vars }, [
            '--check',
            '--diff',
          ]);
          const label = `${job.role.name}${job.playbook === 'remove.yml' ? ' (removal)' : ''}`;
          results.push({ role: label, secrets: vars, ...result, seconds: (Date.now() - begin) / 1000 });
        }
      };
      await Promise.all([worker(), worker()]);
      for (const result of results) {
        expect({
          role: result.role,
          code: result.code,
          tail: result.code === 0 ? '' : result.output.slice(-3000),
        }).toEqual({
          role: result.role,
          code: 0,
          tail: '',
        });
        expect(result.output).toMatch(/failed=0\b/);
        // The secrets given to the run never reach its output.
        for (const value of Object.values(result.secrets))
          if (typeof value === 'string' && /Pw|Secret/.test(value))
            expect(result.output).not.toContain(value);
      }
      // Check mode changed nothing: no file of the roles appeared, none changed, no package came or went.
      expect(existsSync('/etc/nginx/conf.d/proxdeck-site.conf')).toBe(false);
      expect(existsSync('/etc/apt/sources.list.d/opensearch.list')).toBe(false);
      expect(existsSync(nodeExporterArgs) ? readFileSync(nodeExporterArgs, 'utf8') : null).toBe(argsBefore);
      expect(await Promise.all(['mariadb-server', 'prometheus-node-exporter'].map(installed))).toEqual(
        packagesBefore,
      );
      process.stdout.write(
        `check-mode runs: ${results.map((r) => `${r.role} ${r.seconds.toFixed(1)} s`).join(', ')}; ` +
          `total ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    }, 300_000);
  });
});
