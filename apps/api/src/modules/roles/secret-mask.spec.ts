import { hostKeyArgs } from './ansible-runner';
import { failureOf } from './roles.service';
import { MASK, SecretMask } from './secret-mask';

describe('masking secrets in run output', () => {
  it('replaces every occurrence, JSON-escaped ones too', () => {
    const mask = new SecretMask(['hunter2-"quoted"', 'abc']);
    expect(mask.apply('password=hunter2-"quoted" and again hunter2-"quoted"')).toBe(
      `password=${MASK} and again ${MASK}`,
    );
    expect(mask.apply('{"p": "hunter2-\\"quoted\\""}')).toBe(`{"p": "${MASK}"}`);
    expect(mask.apply('xabcx')).toBe(`x${MASK}x`);
  });

  it('masks a longer secret whole before a shorter one inside it, and each line of a multi-line one', () => {
    const mask = new SecretMask(['pass', 'password-long', 'line-one\nline-two']);
    expect(mask.apply('password-long')).toBe(MASK);
    expect(mask.apply('got line-two here')).toBe(`got ${MASK} here`);
  });

  it('does nothing without secrets', () => {
    const mask = new SecretMask(['']);
    expect(mask.empty).toBe(true);
    expect(mask.apply('anything')).toBe('anything');
  });
});

describe('a failed run in one line', () => {
  it('keeps the lines that say what failed', () => {
    expect(
      failureOf({
        code: 4,
        signal: null,
        timedOut: false,
        timeoutS: 60,
        tail: [
          'TASK [Gathering Facts] ****',
          'fatal: [web-01]: UNREACHABLE! => {"msg": "Failed to connect to the host via ssh"}',
          'PLAY RECAP ****',
          'web-01 : ok=0 changed=0 unreachable=1 failed=0',
        ],
      }),
    ).toBe(
      'ansible-playbook failed (exit 4): fatal: [web-01]: UNREACHABLE! => {"msg": "Failed to connect to the host via ssh"} | web-01 : ok=0 changed=0 unreachable=1 failed=0',
    );
    expect(failureOf({ code: null, signal: 'SIGKILL', timedOut: true, timeoutS: 5, tail: [] })).toBe(
      'ansible-playbook timed out after 5 s and was killed',
    );
  });
});

describe('host key checking', () => {
  it('maps each policy to ssh options with Proxdeck’s known_hosts', () => {
    expect(hostKeyArgs('strict', '/d/known_hosts')).toBe(
      '-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/d/known_hosts',
    );
    expect(hostKeyArgs('accept-new', '/d/known_hosts')).toContain('StrictHostKeyChecking=accept-new');
    expect(hostKeyArgs('off', '/d/known_hosts')).toContain('UserKnownHostsFile=/dev/null');
  });
});
