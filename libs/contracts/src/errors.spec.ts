import { ERROR_CODES, ERROR_STATUS, errorCodeForStatus } from './errors';

describe('error codes', () => {
  it('gives every code one error status', () => {
    for (const code of ERROR_CODES) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
  });

  it('maps a bare status to a code answered with that status', () => {
    for (const status of [400, 401, 403, 404, 408, 409, 413, 414, 415, 429, 431, 502, 503]) {
      expect(ERROR_STATUS[errorCodeForStatus(status)]).toBe(status);
    }
    expect(errorCodeForStatus(418)).toBe('BAD_REQUEST');
    expect(errorCodeForStatus(504)).toBe('INTERNAL_ERROR');
  });
});
