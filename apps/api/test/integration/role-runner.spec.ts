import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AnsibleRunner } from '../../src/modules/roles/ansible-runner';
import { RoleCatalog } from '../../src/modules/roles/role-catalog';
import { AppConfig } from '../../src/platform/config/app-config';
import { parseConfig } from '../../src/platform/config/config.schema';
import { startSshHost, type SshHost } from '@proxdeck/testing';

const ADDRESS = '127.0.0.46';

/** A role that prints its secret variable every way it can: in a debug message, a command's output, a diff. */
function writeLeakyRole(rolesDir: string): void {
  const role = join(rolesDir, 'leaky');
  mkdirSync(join(role, 'tasks'), { recursive: true });
  mkdirSync(join(role, 'meta'), { recursive: true });
  writeFileSync(
    join(role, 'meta', 'proxdeck.yml'),
    [
      'label: Leaky',
      'label_ko: 누설',
      'description: Prints its secret, for the masking test.',
      'description_ko: 비밀 값을 출력합니다.',
      'os_support: [debian]',
      'removable: false',
      'variables:',
      '  - name: leaky_secret',
      '    type: string',
      '    required: true',
      '    secret: true',
      '    description: A secret',
      '    description_ko: 비밀 값',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(role, 'tasks', 'main.yml'),
    [
      '- name: Print the secret',
      '  ansible.builtin.debug:',
      '    msg: "the secret is {{ leaky_secret }}"',
      '- name: Echo the secret',
      '  ansible.builtin.command:',
      '    argv: [echo, "{{ leaky_secret }}"]',
      '  changed_when: false',
      '',
    ].join('\n'),
  );
}

/**
 * The runner on its own against a real sshd: host key policies (strict with and without the host's key,
 * accept-new learning a key then refusing a changed one, off), and secret values masked in everything it hands
 * on, whatever a role prints; its private files gone after the run.
 */
describe('the ansible-playbook runner', () => {
  let host: SshHost;
  let rolesDir: string;
  const secret = `s3cr"et-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    host = await startSshHost({ address: ADDRESS });
    rolesDir = mkdtempSync(join(tmpdir(), 'proxdeck-runner-roles-'));
    writeLeakyRole(rolesDir);
  }, 60_000);
  afterAll(async () => {
    await host.stop();
    rmSync(rolesDir, { recursive: true, force: true });
  });

  function runner(
    policy: 'strict' | 'accept-new' | 'off',
    dataDir: string,
    on: SshHost = host,
    extraRoles = resolve('ansible/test-roles'),
  ): AnsibleRunner {
    const config = new AppConfig(
      parseConfig({
        ANSIBLE_DIR: resolve('ansible'),
        ANSIBLE_EXTRA_ROLES_DIR: extraRoles,
        ANSIBLE_SSH_USER: on.user,
        ANSIBLE_SSH_KEY_FILE: on.privateKeyPath,
        ANSIBLE_SSH_PORT: String(on.port),
        ANSIBLE_HOST_KEY_CHECKING: policy,
        ANSIBLE_BECOME: 'false',
        ANSIBLE_RUN_TIMEOUT_S: '60',
        DATA_DIR: dataDir,
      }),
    );
    return new AnsibleRunner(config, new RoleCatalog(config));
  }

  async function apply(
    ansible: AnsibleRunner,
    role = 'proxdeck_marker',
    secrets: Record<string, string> = { marker_secret: secret },
  ) {
    const lines: string[] = [];
    const outcome = await ansible.run(
      { action: 'apply', role, host: 'runner-test', address: ADDRESS, plain: {}, secret: secrets },
      (batch) => {
        lines.push(...batch);
        return Promise.resolve();
      },
    );
    return { outcome, text: lines.join('\n') };
  }

  it('strict refuses a host whose key it does not know, and accepts it once the key is in known_hosts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'proxdeck-runner-data-'));
    const refused = await apply(runner('strict', dataDir));
    expect(refused.outcome.code).not.toBe(0);
    expect(refused.text).toMatch(/Host key verification failed|UNREACHABLE/);
    writeFileSync(join(dataDir, 'ansible', 'known_hosts'), `${host.knownHostsLine}\n`);
    const accepted = await apply(runner('strict', dataDir));
    expect([accepted.outcome.code, accepted.outcome.timedOut]).toEqual([0, false]);
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('accept-new learns a new host key, then refuses the same address with another key; off accepts it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'proxdeck-runner-data-'));
    const first = await apply(runner('accept-new', dataDir));
    expect(first.outcome.code).toBe(0);
    const knownHosts = readFileSync(join(dataDir, 'ansible', 'known_hosts'), 'utf8');
    expect(knownHosts).toContain(host.knownHostsLine.split(' ').slice(1).join(' '));

    // The same address and port, another host key (a reinstalled server, or someone in between).
    await host.stop();
    host = await startSshHost({ address: ADDRESS, port: host.port });
    const replaced = host;
    const changed = await apply(runner('accept-new', dataDir, replaced));
    expect(changed.outcome.code).not.toBe(0);
    expect(changed.text).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    const off = await apply(runner('off', dataDir, replaced));
    expect(off.outcome.code).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  }, 180_000);

  it('masks secret values in every line it hands on, and leaves no file of the run behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'proxdeck-runner-data-'));
    const runsBefore = readdirSync(tmpdir()).filter((entry) => entry.startsWith('proxdeck-ansible-'));
    const catalog = new RoleCatalog(
      new AppConfig(parseConfig({ ANSIBLE_DIR: resolve('ansible'), ANSIBLE_EXTRA_ROLES_DIR: rolesDir })),
    );
    expect(await catalog.validate('leaky')).toEqual({ valid: true, errors: [] });
    const leaky = runner('off', dataDir, host, rolesDir);
    const { outcome, text } = await apply(leaky, 'leaky', { leaky_secret: secret });
    expect(outcome.code).toBe(0);
    expect(text).toContain('the secret is ********');
    expect(text).toMatch(/Echo the secret/);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(outcome.tail.join('\n')).not.toContain(secret);
    const runsAfter = readdirSync(tmpdir()).filter((entry) => entry.startsWith('proxdeck-ansible-'));
    expect(runsAfter.filter((entry) => !runsBefore.includes(entry))).toEqual([]);
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});
