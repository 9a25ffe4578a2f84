import { checkVariables, parseRoleMetadata, type RoleMetadata } from './role-metadata';

const COMPLETE = `
label: Web server (nginx)
label_ko: 웹 서버 (nginx)
description: Installs nginx.
description_ko: nginx를 설치합니다.
os_support: [debian, ubuntu, rocky]
removable: true
variables:
  - name: web_listen_port
    type: integer
    default: 80
    required: false
    secret: false
    description: Port nginx listens on
    description_ko: nginx 포트
  - name: web_admin_password
    type: string
    required: true
    secret: true
    description: Admin password
    description_ko: 관리자 비밀번호
  - name: web_tls
    type: boolean
    default: false
    required: false
    secret: false
    description: TLS
    description_ko: TLS
  - name: web_names
    type: list
    default: []
    required: false
    secret: false
    description: Server names
    description_ko: 서버 이름
`;

describe('reading meta/proxdeck.yml', () => {
  it('reads a complete role', () => {
    const { metadata, errors } = parseRoleMetadata('web', COMPLETE, true);
    expect(errors).toEqual([]);
    expect(metadata).toMatchObject({
      name: 'web',
      label: 'Web server (nginx)',
      label_ko: '웹 서버 (nginx)',
      os_support: ['debian', 'ubuntu', 'rocky'],
      removable: true,
    });
    expect(metadata?.variables.map((v) => [v.name, v.type, v.default, v.required, v.secret])).toEqual([
      ['web_listen_port', 'integer', 80, false, false],
      ['web_admin_password', 'string', undefined, true, true],
      ['web_tls', 'boolean', false, false, false],
      ['web_names', 'list', [], false, false],
    ]);
  });

  it('says what is missing or wrong, every problem at once', () => {
    const { metadata, errors } = parseRoleMetadata(
      'web',
      `
label: Web
os_support: [debian, windows]
removable: false
variables:
  - name: port
    type: float
    default: 1
    required: false
    secret: true
    description: x
    description_ko: y
`,
      true,
    );
    expect(metadata).toBeNull();
    expect(errors).toEqual(
      expect.arrayContaining([
        'label_ko is required (a non-empty text)',
        'description is required (a non-empty text)',
        'description_ko is required (a non-empty text)',
        'os_support: windows is not one of debian, ubuntu, rocky',
        'removable is false but tasks/remove.yml exists',
        'variable port is not prefixed with web_',
        'variable port: type must be one of string, integer, boolean, list',
        'variable port is secret and must not have a default',
      ]),
    );
  });

  it('refuses removable: true without tasks/remove.yml, a default of the wrong type, and YAML that is not YAML', () => {
    expect(parseRoleMetadata('web', COMPLETE, false).errors).toContain(
      'removable is true but tasks/remove.yml is missing',
    );
    expect(
      parseRoleMetadata('web', COMPLETE.replace('default: 80', 'default: "eighty"'), true).errors,
    ).toContain('variable web_listen_port: the default is not of type integer');
    expect(parseRoleMetadata('web', 'label: [unclosed', true).errors[0]).toMatch(/is not YAML/);
    expect(parseRoleMetadata('Web-Role', COMPLETE, true).errors[0]).toMatch(/does not match/);
  });

  it('wants a default for an optional plain variable', () => {
    const text = COMPLETE.replace('    default: 80\n', '');
    expect(parseRoleMetadata('web', text, true).errors).toContain(
      'variable web_listen_port is optional and needs a default',
    );
  });
});

describe('checking the variables of a run', () => {
  const role: RoleMetadata = parseRoleMetadata('web', COMPLETE, true).metadata!;

  it('splits plain and secret variables', () => {
    const { checked, problems } = checkVariables(role, {
      web_listen_port: 8080,
      web_admin_password: 's3cret-value',
      web_tls: true,
      web_names: ['a', 'b'],
    });
    expect(problems).toEqual({});
    expect(checked).toEqual({
      plain: { web_listen_port: 8080, web_tls: true, web_names: ['a', 'b'] },
      secret: { web_admin_password: 's3cret-value' },
    });
  });

  it('names each variable at fault: unknown, of the wrong type, required and missing', () => {
    const { problems } = checkVariables(role, {
      web_listen_port: '80',
      web_tls: 'yes',
      web_names: [{ nested: true }],
      web_unknown: 1,
    });
    expect(problems).toEqual({
      'variables.web_listen_port': 'must be an integer',
      'variables.web_tls': 'must be a boolean',
      'variables.web_names': 'must be a list of texts, numbers or booleans',
      'variables.web_unknown': 'is not a variable of role web',
      'variables.web_admin_password': 'is required',
    });
    expect(checkVariables(role, { web_admin_password: '' }, 'role_variables').problems).toEqual({
      'role_variables.web_admin_password': 'must be a non-empty text',
    });
    expect(checkVariables(role, { web_listen_port: 1.5, web_admin_password: 'x' }).problems).toEqual({
      'variables.web_listen_port': 'must be an integer',
    });
  });
});
