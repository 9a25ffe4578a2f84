import { Page, TaskAccepted, WithMessage, toSuccessEnvelope } from './envelope';

describe('toSuccessEnvelope', () => {
  it('wraps plain values, null, nothing and strings included', () => {
    expect(toSuccessEnvelope({ a: 1 })).toEqual({ body: { success: true, data: { a: 1 } } });
    expect(toSuccessEnvelope(null)).toEqual({ body: { success: true, data: null } });
    expect(toSuccessEnvelope(undefined)).toEqual({ body: { success: true, data: null } });
    expect(toSuccessEnvelope('text')).toEqual({ body: { success: true, data: 'text' } });
  });

  it('turns a page into a list envelope with pagination', () => {
    expect(toSuccessEnvelope(Page.of(['x'], 41, 2, 20))).toEqual({
      body: { success: true, data: ['x'], pagination: { page: 2, per_page: 20, total: 41, pages: 3 } },
    });
  });

  it('carries a message', () => {
    expect(toSuccessEnvelope(new WithMessage(null, 'Logged out'))).toEqual({
      body: { success: true, data: null, message: 'Logged out' },
    });
  });

  it('answers a queued task with 202', () => {
    expect(toSuccessEnvelope(new TaskAccepted('t-1', 'Queued'))).toEqual({
      status: 202,
      body: { success: true, data: { task_id: 't-1', status: 'queued' }, message: 'Queued' },
    });
  });
});
