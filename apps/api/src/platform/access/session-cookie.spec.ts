import { readCookie } from './session-cookie';

describe('readCookie', () => {
  const read = (header: string | undefined) => readCookie(header, 'proxdeck_session=');

  it('finds the cookie among others, first or last, with or without spaces', () => {
    expect(read('proxdeck_session=abc')).toBe('abc');
    expect(read('theme=dark; proxdeck_session=abc; lang=ko')).toBe('abc');
    expect(read('theme=dark;proxdeck_session=abc')).toBe('abc');
  });

  it('does not take a cookie whose name merely ends or starts like it', () => {
    expect(read('old_proxdeck_session=zzz; proxdeck_session2=yyy')).toBeUndefined();
    expect(read('old_proxdeck_session=zzz; proxdeck_session=abc')).toBe('abc');
  });

  it('decodes URI-encoded and quoted values, and tolerates a broken encoding', () => {
    expect(read('proxdeck_session=a%2Fb')).toBe('a/b');
    expect(read('proxdeck_session="quoted"')).toBe('quoted');
    expect(read('proxdeck_session=%E0%A4%A')).toBe('%E0%A4%A');
  });

  it('answers nothing without a header or the cookie', () => {
    expect(read(undefined)).toBeUndefined();
    expect(read('')).toBeUndefined();
    expect(read('theme=dark')).toBeUndefined();
  });
});
