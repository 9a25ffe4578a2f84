import { Page, TaskAccepted, WithMessage, toSuccessEnvelope } from './envelope';

describe('toSuccessEnvelope', () => {
  const reply = () => {
    const codes: number[] = [];
    return {
      codes,
      code(status: number) {
        codes.push(status);
        return this as never;
      },
    };
  };

  it('wraps plain values, null included', () => {
    expect(toSuccessEnvelope({ a: 1 }, reply())).toEqual({ success: true, data: { a: 1 } });
    expect(toSuccessEnvelope(null, reply())).toEqual({ success: true, data: null });
  });

  it('turns a page into a list envelope with pagination', () => {
    expect(toSuccessEnvelope(Page.of(['x'], 41, 2, 20), reply())).toEqual({
      success: true,
      data: ['x'],
      pagination: { page: 2, per_page: 20, total: 41, pages: 3 },
    });
  });

  it('carries a message', () => {
    expect(toSuccessEnvelope(new WithMessage(null, 'Logged out'), reply())).toEqual({
      success: true,
      data: null,
      message: 'Logged out',
    });
  });

  it('answers a queued task with 202', () => {
    const fake = reply();
    expect(toSuccessEnvelope(new TaskAccepted('t-1', 'Queued'), fake)).toEqual({
      success: true,
      data: { task_id: 't-1', status: 'queued' },
      message: 'Queued',
    });
    expect(fake.codes).toEqual([202]);
  });
});
