import { cpSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppConfig } from '../../platform/config/app-config';
import { parseConfig } from '../../platform/config/config.schema';
import { RoleCatalog } from './role-catalog';

/** The repository's ansible/ directory (Jest runs from the workspace root). */
const ANSIBLE = resolve('ansible');

/**
 * The catalogue over real role directories: the repository's test roles, and copies broken on purpose in a
 * temporary roles directory; validation runs the real ansible-playbook --syntax-check.
 */
describe('the role catalogue', () => {
  let extra: string;
  let catalog: RoleCatalog;

  beforeAll(() => {
    extra = mkdtempSync(join(tmpdir(), 'proxdeck-roles-'));
    cpSync(join(ANSIBLE, 'test-roles'), extra, { recursive: true });
    // A role whose metadata is incomplete, and one whose tasks are not valid Ansible.
    cpSync(join(ANSIBLE, 'test-roles', 'proxdeck_marker'), join(extra, 'broken_meta'), { recursive: true });
    writeFileSync(join(extra, 'broken_meta', 'meta', 'proxdeck.yml'), 'label: Broken\nremovable: true\n');
    cpSync(join(ANSIBLE, 'test-roles', 'proxdeck_sleep'), join(extra, 'bad_tasks'), { recursive: true });
    writeFileSync(
      join(extra, 'bad_tasks', 'meta', 'proxdeck.yml'),
      [
        'label: Bad tasks',
        'label_ko: 잘못된 작업',
        'description: Tasks that are not Ansible.',
        'description_ko: 앤서블이 아닌 작업.',
        'os_support: [debian]',
        'removable: false',
        'variables: []',
      ].join('\n'),
    );
    writeFileSync(
      join(extra, 'bad_tasks', 'tasks', 'main.yml'),
      '- name: no module here\n  nonsense_key: 1\n',
    );
    catalog = new RoleCatalog(
      new AppConfig(
        parseConfig({
          ANSIBLE_DIR: join(tmpdir(), 'proxdeck-no-ansible-dir'),
          ANSIBLE_EXTRA_ROLES_DIR: extra,
        }),
      ),
    );
  });
  afterAll(() => {
    rmSync(extra, { recursive: true, force: true });
  });

  it('lists complete roles only, with their metadata', async () => {
    const names = (await catalog.available()).map((role) => role.name);
    expect(names).toEqual(['bad_tasks', 'proxdeck_marker', 'proxdeck_sleep']);
    const marker = (await catalog.find('proxdeck_marker'))?.metadata;
    expect(marker).toMatchObject({ removable: true, os_support: ['debian', 'ubuntu', 'rocky'] });
    expect(marker?.variables.find((v) => v.name === 'marker_secret')).toMatchObject({
      secret: true,
      required: true,
    });
    expect(marker?.variables.find((v) => v.name === 'marker_secret')).not.toHaveProperty('default');
  });

  it('validates: exists, metadata complete, syntax-check passes', async () => {
    expect(await catalog.validate('proxdeck_marker')).toEqual({ valid: true, errors: [] });
    expect(await catalog.validate('no_such_role')).toEqual({
      valid: false,
      errors: ['no role no_such_role'],
    });
    const broken = await catalog.validate('broken_meta');
    expect(broken.valid).toBe(false);
    expect(broken.errors).toContain('label_ko is required (a non-empty text)');
    const bad = await catalog.validate('bad_tasks');
    expect(bad.valid).toBe(false);
    expect(bad.errors[0]).toMatch(/^ansible-playbook --syntax-check failed: .*nonsense_key|no module/s);
  }, 60_000);

  it('keeps a validation until a file of the role changes', async () => {
    const role = join(extra, 'proxdeck_sleep');
    expect((await catalog.validate('proxdeck_sleep')).valid).toBe(true);
    writeFileSync(join(role, 'tasks', 'main.yml'), '- name: broken\n  ansible.builtin.command: [\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(role, 'tasks', 'main.yml'), later, later);
    const after = await catalog.validate('proxdeck_sleep');
    expect(after.valid).toBe(false);
  }, 60_000);
});
