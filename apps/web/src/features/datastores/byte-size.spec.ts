import { formatBytes, usedPercent } from './byte-size';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1,023 B'],
    [1536, '1.5 KiB'],
    [800 * 1024 ** 3, '800 GiB'],
    [4 * 1024 ** 4, '4 TiB'],
    [-5, '0 B'],
  ])('%d bytes read %s', (bytes, text) => {
    expect(formatBytes(bytes, 'en')).toBe(text);
  });
});

describe('usedPercent', () => {
  it('rounds, caps at 100 and is 0 without a size', () => {
    expect(usedPercent(1, 3)).toBe(33);
    expect(usedPercent(5, 4)).toBe(100);
    expect(usedPercent(5, 0)).toBe(0);
  });
});
