import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ConflictError, RateLimitedError, ValidationFailedError } from './app-error';
import { toErrorEnvelope } from './error-envelope';

describe('toErrorEnvelope', () => {
  it('keeps an AppError status, code, details and headers', () => {
    const mapped = toErrorEnvelope(new RateLimitedError('Too many login failures', 42), 'req-1');
    expect(mapped.status).toBe(429);
    expect(mapped.headers).toEqual({ 'Retry-After': '42' });
    expect(mapped.body).toEqual({
      success: false,
      error: 'Too many login failures',
      code: 'RATE_LIMITED',
      details: { retry_after_s: 42 },
      request_id: 'req-1',
    });
  });

  it('names every invalid field', () => {
    const mapped = toErrorEnvelope(
      new ValidationFailedError({ cpu: 'must be 1..128', name: 'required' }),
      'r',
    );
    expect(mapped.status).toBe(400);
    expect(mapped.body.details).toEqual({ fields: { cpu: 'must be 1..128', name: 'required' } });
    expect(mapped.body.error).toContain('cpu');
  });

  it('maps Fastify body errors to 413 and 415', () => {
    expect(toErrorEnvelope({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }, 'r').status).toBe(413);
    expect(toErrorEnvelope({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }, 'r').body.code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('maps malformed JSON to 400', () => {
    const error = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 });
    expect(toErrorEnvelope(error, 'r')).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
  });

  it('maps Nest HTTP exceptions', () => {
    expect(toErrorEnvelope(new NotFoundException('Cannot GET /x'), 'r').body).toMatchObject({
      code: 'NOT_FOUND',
      error: 'No such route',
    });
    expect(toErrorEnvelope(new BadRequestException('bad'), 'r').status).toBe(400);
    expect(toErrorEnvelope(new ConflictError('taken'), 'r').status).toBe(409);
  });

  it('hides unknown errors behind a 500 with the request id', () => {
    const mapped = toErrorEnvelope(new Error('secret db detail'), 'req-9');
    expect(mapped.status).toBe(500);
    expect(mapped.unexpected).toBe(true);
    expect(JSON.stringify(mapped.body)).not.toContain('secret db detail');
    expect(mapped.body.request_id).toBe('req-9');
  });
});
