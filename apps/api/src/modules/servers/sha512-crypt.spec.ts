import { hashVmPassword, isSha512CryptHash, sha512Crypt } from './sha512-crypt';

describe('sha512Crypt', () => {
  // The test vectors of Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512" specification.
  it('matches the specification’s vectors', () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
    expect(sha512Crypt('Hello world!', 'saltstringsaltstring', 10_000)).toBe(
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
    expect(sha512Crypt('we have a short salt string but not a short password', 'short', 77_777)).toBe(
      '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
    );
    expect(sha512Crypt('a short string', 'asaltof16chars..', 123_456)).toBe(
      '$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1',
    );
    expect(sha512Crypt('This is just a test', 'toolongsaltstring')).toBe(
      '$6$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
    );
    expect(sha512Crypt('the minimum number is still observed', 'roundstoolow', 10)).toBe(
      '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
    );
  });

  it('hashes with a fresh salt each time, in the form Proxmox takes as cipassword', () => {
    const first = hashVmPassword('correct horse battery staple');
    const second = hashVmPassword('correct horse battery staple');
    expect(first).not.toBe(second);
    expect(isSha512CryptHash(first)).toBe(true);
    expect(first).not.toContain('horse');
    expect(isSha512CryptHash('plain-password')).toBe(false);
  });
});
