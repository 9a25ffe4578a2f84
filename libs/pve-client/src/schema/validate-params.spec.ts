import { PVE_ENDPOINT_KEYS } from './pve-params.generated';
import { getEndpointSchema, listEndpointKeys, matchEndpoint, pveSchema, schemaFor } from './pve-schema';
import {
  MSG_MISSING,
  MSG_NOT_IN_SCHEMA,
  parsePropertyString,
  perlPattern,
  validateParams,
} from './validate-params';

function schema(key: string) {
  const s = getEndpointSchema(key);
  if (!s) throw new Error(`no schema for ${key}`);
  return s;
}

describe('schema subset', () => {
  it('records its origin and has no description text', () => {
    expect(pveSchema._source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pveSchema._source.file).toContain('apidoc.json');
    expect(JSON.stringify(pveSchema.endpoints)).not.toMatch(/"(verbose_)?description":"/);
  });

  it('has the same endpoints as the generated parameter types (no drift)', () => {
    expect([...PVE_ENDPOINT_KEYS].sort()).toEqual(listEndpointKeys().sort());
  });

  it('matches concrete paths to templates and decodes placeholders', () => {
    const upid = 'UPID:pve1:0003A1F2:01B2C3D4:6745F0A1:qmclone:9000:svc@pve!platform:';
    const m = matchEndpoint('GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`);
    expect(m?.key).toBe('GET /nodes/{node}/tasks/{upid}/status');
    expect(m?.pathParams).toEqual({ node: 'pve1', upid });
    expect(matchEndpoint('GET', '/nodes/pve1/storage/local/status')?.key).toBe(
      'GET /nodes/{node}/storage/{storage}/status',
    );
    expect(matchEndpoint('PATCH', '/version')).toBeUndefined();
  });
});

describe('validateParams (PVE JSONSchema semantics)', () => {
  const clone = schema('POST /nodes/{node}/qemu/{vmid}/clone');
  const config = schema('PUT /nodes/{node}/qemu/{vmid}/config');

  it('accepts only 0/1 for booleans in form encoding, and JSON booleans', () => {
    expect(validateParams(clone, { node: 'pve1', vmid: '9000', newid: '101', full: '1' }).values.full).toBe(
      1,
    );
    expect(validateParams(clone, { node: 'pve1', vmid: '9000', newid: '101', full: true }).values.full).toBe(
      1,
    );
    expect(validateParams(clone, { node: 'pve1', vmid: '9000', newid: '101', full: 'true' }).errors).toEqual({
      full: "type check ('boolean') failed - got 'true'",
    });
  });

  it('reports unknown, missing, malformed and out-of-range parameters', () => {
    const { errors } = validateParams(clone, { node: 'pve1', vmid: 'abc', bogus: 'x' });
    expect(errors).toEqual({
      vmid: "type check ('integer') failed - got 'abc'",
      bogus: MSG_NOT_IN_SCHEMA,
      newid: MSG_MISSING,
    });
    expect(validateParams(clone, { node: 'pve1', vmid: '9000', newid: '5' }).errors.newid).toBe(
      'value must have a minimum value of 100',
    );
    expect(
      validateParams(clone, { node: 'pve1', vmid: '9000', newid: '101', format: 'vdi' }).errors.format,
    ).toBe("value 'vdi' does not have a value in the enumeration 'raw, qcow2, vmdk'");
  });

  it('resolves indexed keys (net0 → net[n]) and checks property strings', () => {
    const ok = validateParams(config, {
      node: 'pve1',
      vmid: '100',
      net0: 'virtio,bridge=vmbr0,firewall=1',
      scsi1: 'local-lvm:32,iothread=1',
    });
    expect(ok.errors).toEqual({});
    const bad = validateParams(config, { node: 'pve1', vmid: '100', net0: 'virtio,bridge=vmbr0,color=red' });
    expect(bad.errors.net0).toMatch(
      /^invalid format - format error\ncolor: property is not defined in schema/,
    );
    expect(
      parsePropertyString(schemaFormat('net[n]'), 'virtio=BC:24:11:AA:BB:CC,bridge=vmbr0').values,
    ).toEqual({
      model: 'virtio',
      macaddr: 'BC:24:11:AA:BB:CC',
      bridge: 'vmbr0',
    });
  });

  it('requires sshkeys to be URL-encoded', () => {
    const key = 'ssh-ed25519 AAAAC3Nza test@host';
    expect(validateParams(config, { node: 'pve1', vmid: '100', sshkeys: key }).errors.sshkeys).toBe(
      'invalid format - invalid urlencoded string',
    );
    expect(
      validateParams(config, { node: 'pve1', vmid: '100', sshkeys: encodeURIComponent(key) }).errors,
    ).toEqual({});
  });

  it('validates firewall port lists like pve-firewall', () => {
    const rule = schema('POST /cluster/firewall/groups/{group}');
    const check = (dport: string) =>
      validateParams(rule, { group: 'web', type: 'in', action: 'ACCEPT', proto: 'tcp', dport }).errors.dport;
    expect(check('22,80:90,https')).toBeUndefined();
    expect(check('90:80')).toBe(
      "invalid format - backwards range '90:80' not allowed, did you mean '80:90'?",
    );
    expect(check('1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:20')).toBe(
      'invalid format - too many entries in port list (> 15 numbers)',
    );
    expect(check('22,,80')).toBe('invalid format - extraneous commas in list');
  });

  it('joins repeated keys for -list formats', () => {
    const r = validateParams(config, { node: 'pve1', vmid: '100', delete: ['scsi1', 'net1'] });
    expect(r.values.delete).toBe('scsi1,net1');
  });

  function schemaFormat(key: string) {
    const format = config.parameters[key]?.format;
    if (typeof format !== 'object') throw new Error('no property-string format');
    return format;
  }
});

describe('Perl patterns from the schema dump', () => {
  it("checks (?^:…) groups, as in a token id's pattern", () => {
    const token = schema('POST /access/users/{userid}/token/{tokenid}');
    expect(validateParams(token, { userid: 'svc@pve', tokenid: 'ci-1' }).errors).toEqual({});
    expect(validateParams(token, { userid: 'svc@pve', tokenid: '1bad' }).errors).toEqual({
      tokenid: 'value does not match the regex pattern',
    });
  });

  it('turns (?^i:…) into a case-insensitive pattern', () => {
    expect(perlPattern('(?^i:abc)').test('ABC')).toBe(true);
    expect(perlPattern('(?^:abc)').test('ABC')).toBe(false);
  });
});

describe('the PVE 8.3 schema subset', () => {
  it('records its origin and has the same endpoints as 9.2', () => {
    const pve8 = schemaFor('8.3');
    expect(pve8.pveVersion).toBe('8.3');
    expect(pve8._source.file).toContain('apidoc-pve-8.3.json');
    expect(Object.keys(pve8.endpoints).sort()).toEqual(listEndpointKeys().sort());
  });

  it('matches paths against the release asked for', () => {
    const agent = '/nodes/pve1/qemu/100/agent/network-get-interfaces';
    expect(matchEndpoint('GET', agent, '8.3')?.schema.permissions).toEqual([
      'perm',
      '/vms/{vmid}',
      ['VM.Monitor'],
    ]);
    expect(matchEndpoint('GET', agent)?.schema.permissions).toEqual([
      'perm',
      '/vms/{vmid}',
      ['VM.GuestAgent.Audit', 'VM.GuestAgent.Unrestricted'],
      'any',
      1,
    ]);
  });
});
