import {
  broadcastOf,
  contains,
  formatIpv4,
  isUsableHost,
  lowestFree,
  networkOf,
  overlaps,
  parseCidr,
  parseIpv4,
} from './ipv4';

const net = (text: string) => {
  const parsed = parseCidr(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.network;
};

describe('IPv4 arithmetic', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.0.0.1', 167772161],
    ['255.255.255.255', 4294967295],
  ])('parses %s and formats it back', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it.each(['', '10.0.0', '10.0.0.256', '010.0.0.1', '10.0.0.1 ', '1.2.3.4.5', 'a.b.c.d', '-1.0.0.0'])(
    'refuses %j as an address',
    (text) => {
      expect(parseIpv4(text)).toBeNull();
    },
  );

  it.each([
    ['10.0.0.0/24', 'CIDR notation'],
    ['10.0.0.0', 'CIDR notation'],
    ['10.0.0.0/33', 'CIDR notation'],
    ['10.0.0.0/024', 'CIDR notation'],
    ['10.0.0.0/24/1', 'CIDR notation'],
    ['10.0.0.5/24', 'host bits set: the network is 10.0.0.0/24'],
  ])('parseCidr(%j)', (text, expected) => {
    const parsed = parseCidr(text);
    if (text === '10.0.0.0/24') expect(parsed).toEqual({ network: { network: 167772160, prefix: 24 } });
    else expect('problem' in parsed && parsed.problem).toContain(expected);
  });

  it('knows networks, broadcasts and usable hosts', () => {
    const lan = net('192.168.1.0/24');
    expect(formatIpv4(broadcastOf(lan))).toBe('192.168.1.255');
    expect(formatIpv4(networkOf(parseIpv4('192.168.1.77')!, 26))).toBe('192.168.1.64');
    expect(contains(lan, parseIpv4('192.168.1.0')!)).toBe(true);
    expect(isUsableHost(lan, parseIpv4('192.168.1.0')!)).toBe(false);
    expect(isUsableHost(lan, parseIpv4('192.168.1.255')!)).toBe(false);
    expect(isUsableHost(lan, parseIpv4('192.168.1.1')!)).toBe(true);
    expect(isUsableHost(lan, parseIpv4('192.168.2.1')!)).toBe(false);
    // Point-to-point /31: both addresses are hosts.
    expect(isUsableHost(net('10.0.0.0/31'), parseIpv4('10.0.0.0')!)).toBe(true);
  });

  it.each([
    ['10.0.0.0/24', '10.0.0.128/25', true],
    ['10.0.0.0/16', '10.0.200.0/24', true],
    ['10.0.0.0/24', '10.0.1.0/24', false],
    ['10.0.0.0/25', '10.0.0.128/25', false],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    expect(overlaps(net(a), net(b))).toBe(expected);
    expect(overlaps(net(b), net(a))).toBe(expected);
  });

  it('finds the lowest address neither taken nor excluded', () => {
    expect(lowestFree(10, 14, new Set([10, 11]), new Set([12]))).toBe(13);
    expect(lowestFree(10, 12, new Set([10, 12]), new Set([11]))).toBeNull();
    expect(lowestFree(10, 10, new Set())).toBe(10);
  });
});
