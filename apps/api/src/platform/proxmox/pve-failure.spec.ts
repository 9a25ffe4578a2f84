import { PveApiError, PveTimeoutError, PveTransportError } from '@proxdeck/pve-client';
import { AppError } from '../errors/app-error';
import { pveFailure } from './pve-failure';

describe('pveFailure', () => {
  it('makes an error answer from Proxmox a 502 carrying its status and message', () => {
    const failure = pveFailure(new PveApiError(500, "storage 'x' does not exist"));
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({
      status: 502,
      code: 'PVE_ERROR',
      message: "Proxmox answered 500: storage 'x' does not exist",
      details: { pve: { status: 500, message: "storage 'x' does not exist" } },
    });
  });

  it('makes no answer at all a 503', () => {
    expect(pveFailure(new PveTransportError('connect ECONNREFUSED', true, 'ECONNREFUSED'))).toMatchObject({
      status: 503,
      code: 'DEPENDENCY_UNAVAILABLE',
    });
    expect(pveFailure(new PveTimeoutError(1000, 'GET', '/nodes'))).toMatchObject({ status: 503 });
  });

  it('leaves anything else alone', () => {
    const bug = new TypeError('x is undefined');
    expect(pveFailure(bug)).toBe(bug);
  });
});
