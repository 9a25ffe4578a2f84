import { REDACTED, redact } from './redact';

describe('redact', () => {
  it('replaces secrets under any key that names one, at any depth', () => {
    expect(
      redact({
        username: 'alice',
        password: 'hunter22222',
        new_password: 'x',
        nested: { api_key: 'k', token: 't', list: [{ client_secret: 's', name: 'n' }] },
        permissions: ['view_all'],
      }),
    ).toEqual({
      username: 'alice',
      password: REDACTED,
      new_password: REDACTED,
      nested: { api_key: REDACTED, token: REDACTED, list: [{ client_secret: REDACTED, name: 'n' }] },
      permissions: ['view_all'],
    });
  });

  it('cuts long strings, long arrays and deep nesting', () => {
    expect(redact('a'.repeat(600))).toHaveLength(501);
    expect(redact(Array.from({ length: 150 }, (_, index) => index))).toHaveLength(101);
    expect(redact({ a: { b: { c: { d: { e: { f: { g: 1 } } } } } } })).toEqual({
      a: { b: { c: { d: { e: { f: '[nested]' } } } } },
    });
  });

  it("redacts every text among a role's variables, whatever the variable's name", () => {
    expect(
      redact({
        role: 'db',
        variables: { db_root_pw: 'hunter2', db_port: 3306, db_tls: true, db_names: ['a'] },
        role_variables: 'not an object',
      }),
    ).toEqual({
      role: 'db',
      variables: { db_root_pw: REDACTED, db_port: 3306, db_tls: true, db_names: REDACTED },
      role_variables: REDACTED,
    });
  });
});
