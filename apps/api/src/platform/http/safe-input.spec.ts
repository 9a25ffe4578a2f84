import { MAX_JSON_DEPTH, findUnsafeInput } from './safe-input';

describe('findUnsafeInput', () => {
  it('passes ordinary input, including paired surrogates (emoji) and Korean text', () => {
    expect(findUnsafeInput({ name: 'web-01', note: '서버 🚀', disks: [{ size_gb: 20 }] })).toBeNull();
  });

  it('names a string with a NUL character', () => {
    expect(findUnsafeInput({ disks: [{ label: 'a\u0000b' }] })).toEqual({
      field: 'disks.0.label',
      problem: 'must not contain NUL characters',
    });
  });

  it('names a lone surrogate, high or low', () => {
    expect(findUnsafeInput({ a: 'x\uD800' })?.field).toBe('a');
    expect(findUnsafeInput({ b: '\uDC00y' })?.problem).toMatch(/lone surrogate/);
  });

  it('checks field names too', () => {
    expect(findUnsafeInput({ 'bad\u0000key': 1 })?.field).toBe('bad\u0000key');
  });

  it('refuses nesting deeper than the limit, and accepts it at the limit', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) });
    expect(findUnsafeInput(nest(MAX_JSON_DEPTH))).toBeNull();
    expect(findUnsafeInput(nest(MAX_JSON_DEPTH + 1))?.problem).toBe(
      `nests deeper than ${MAX_JSON_DEPTH} levels`,
    );
  });
});
