import { changeOfRoute } from './firewall-announcer';

describe('changeOfRoute', () => {
  it('names what each kind of firewall route changes', () => {
    expect(changeOfRoute('POST', '/api/firewall/groups', {}, { name: 'web' })).toEqual({
      scope: 'groups',
      name: 'web',
    });
    expect(
      changeOfRoute(
        'DELETE',
        '/api/firewall/groups/:group_name/rules/:rule_id',
        { group_name: 'db' },
        undefined,
      ),
    ).toEqual({ scope: 'groups', name: 'db' });
    expect(changeOfRoute('POST', '/api/firewall/ipsets/:name/entries', { name: 'office' }, {})).toEqual({
      scope: 'ipsets',
      name: 'office',
    });
    expect(changeOfRoute('PUT', '/api/firewall/aliases/:name', { name: 'gw' }, { cidr: '10.0.0.1' })).toEqual(
      {
        scope: 'aliases',
        name: 'gw',
      },
    );
    expect(
      changeOfRoute('POST', '/api/apply_security_group/:server_name', { server_name: 'web-01' }, {}),
    ).toEqual({ scope: 'servers', name: 'web-01' });
    expect(changeOfRoute('POST', '/api/firewall/assign_bulk', {}, { server_names: ['a'] })).toEqual({
      scope: 'servers',
      name: null,
    });
  });

  it('announces nothing for a read', () => {
    expect(changeOfRoute('GET', '/api/firewall/groups', {}, undefined)).toBeNull();
    expect(changeOfRoute('HEAD', '/api/firewall/drift', {}, undefined)).toBeNull();
  });

  it('takes a name from the body only when it is text', () => {
    expect(changeOfRoute('POST', '/api/firewall/ipsets', {}, { name: 42 })).toEqual({
      scope: 'ipsets',
      name: null,
    });
  });
});
