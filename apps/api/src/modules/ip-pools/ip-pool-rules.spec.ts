import { checkPoolDefinition, rangeCapacity, type PoolDefinition } from './ip-pool-rules';

const valid: PoolDefinition = {
  bridge: 'vmbr1',
  cidr: '10.20.0.0/24',
  gateway: '10.20.0.1',
  range_start: '10.20.0.100',
  range_end: '10.20.0.199',
  dns: ['10.20.0.1', '1.1.1.1'],
};

const problems = (
  change: Partial<PoolDefinition>,
  others = [] as Parameters<typeof checkPoolDefinition>[1],
) => {
  const outcome = checkPoolDefinition({ ...valid, ...change }, others);
  return 'problems' in outcome ? outcome.problems : {};
};

describe('checkPoolDefinition', () => {
  it('accepts a valid pool and parses its addresses', () => {
    const outcome = checkPoolDefinition(valid, [{ id: 1, bridge: 'vmbr0', cidr: '10.10.0.0/24' }]);
    expect('pool' in outcome && outcome.pool).toMatchObject({
      bridge: 'vmbr1',
      network: { prefix: 24 },
      dns: ['10.20.0.1', '1.1.1.1'],
    });
  });

  it.each<[string, Partial<PoolDefinition>, Record<string, string>]>([
    [
      'a bridge name with a space',
      { bridge: 'vmbr 0' },
      { bridge: expect.stringContaining('bridge name') as string },
    ],
    [
      'a bridge name over 15 characters',
      { bridge: 'b'.repeat(16) },
      { bridge: expect.any(String) as string },
    ],
    [
      'a network that is not CIDR',
      { cidr: '10.20.0.0' },
      { cidr: expect.stringContaining('CIDR') as string },
    ],
    ['host bits', { cidr: '10.20.0.9/24' }, { cidr: expect.stringContaining('host bits') as string }],
    ['a /8', { cidr: '10.0.0.0/8', gateway: '10.0.0.1' }, { cidr: 'prefix must be /16 to /30' }],
    ['a /31', { cidr: '10.20.0.0/31' }, { cidr: 'prefix must be /16 to /30' }],
    [
      'a gateway outside',
      { gateway: '10.21.0.1' },
      { gateway: 'must be a host address inside 10.20.0.0/24' },
    ],
    ['the network as gateway', { gateway: '10.20.0.0' }, { gateway: expect.any(String) as string }],
    [
      'a gateway that is no address',
      { gateway: 'gw' },
      { gateway: 'must be an IPv4 address such as 10.0.0.1' },
    ],
    ['a range start outside', { range_start: '10.20.1.5' }, { range_start: expect.any(String) as string }],
    ['the broadcast as range end', { range_end: '10.20.0.255' }, { range_end: expect.any(String) as string }],
    [
      'a range backwards',
      { range_start: '10.20.0.200', range_end: '10.20.0.100' },
      { range_end: 'must not come before range_start (10.20.0.200)' },
    ],
    [
      'a range of only the gateway',
      { range_start: '10.20.0.1', range_end: '10.20.0.1' },
      { range_start: 'the range holds only the gateway' },
    ],
    ['four DNS servers', { dns: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4'] }, { dns: 'at most 3 servers' }],
    ['a DNS name', { dns: ['dns.example'] }, { dns: '"dns.example" is not an IPv4 address' }],
  ])('refuses %s, naming the field', (_case, change, expected) => {
    expect(problems(change)).toEqual(expected);
  });

  it('names every bad field at once', () => {
    expect(Object.keys(problems({ bridge: '', gateway: 'x', range_end: 'y' })).sort()).toEqual([
      'bridge',
      'gateway',
      'range_end',
    ]);
  });

  it.each([
    ['10.20.0.0/16', true],
    ['10.20.0.128/25', true],
    ['10.20.1.0/24', false],
  ])('with pool %s defined, overlap is refused: %s', (cidr, refused) => {
    const found = problems({}, [{ id: 7, bridge: 'vmbr0', cidr }]);
    expect(found).toEqual(refused ? { cidr: `overlaps pool 7 (${cidr} on vmbr0)` } : {});
  });
});

describe('rangeCapacity', () => {
  it('counts the range, without the gateway when it lies inside', () => {
    expect(rangeCapacity({ gateway: 1, rangeStart: 100, rangeEnd: 199 })).toBe(100);
    expect(rangeCapacity({ gateway: 150, rangeStart: 100, rangeEnd: 199 })).toBe(99);
  });
});
