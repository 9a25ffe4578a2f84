import { request as httpRequest } from 'node:http';
import { Body, Controller, Get, HttpCode, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { parseConfig } from '../config/config.schema';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { createValidationPipe } from '../errors/validation';
import { MetricsService } from '../metrics/metrics.service';
import type { SpaFallback } from '../web/spa-fallback';
import { TaskAccepted } from './envelope';
import { ProxdeckFastifyAdapter } from './fastify-adapter';
import { configureHttpPipeline } from './http-pipeline';

@Controller('probe')
class ProbeController {
  @Get('nothing')
  nothing(): void {
    return undefined;
  }

  @Get('text')
  text(): string {
    return 'plain words';
  }

  @Post('task')
  @HttpCode(200)
  task(): TaskAccepted {
    return new TaskAccepted('t-1', 'Queued');
  }

  @Get('echo/:id')
  echo(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Post('body')
  @HttpCode(200)
  body(@Body() body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

/** The request path's edges on a bare Nest app: envelopes for every return value and for Fastify's errors. */
describe('ProxdeckFastifyAdapter and the HTTP pipeline', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(
      ProbeModule,
      new ProxdeckFastifyAdapter({ trustProxy: false }),
      { logger: false, bodyParser: false },
    );
    configureHttpPipeline(app.getHttpAdapter().getInstance(), {
      config: new AppConfig(parseConfig({})),
      metrics: new MetricsService(),
      spa: { isBuilt: false } as SpaFallback,
      resolveShedder: (type) => app.get(type, { strict: false }),
      audit: { register: () => undefined },
    });
    app.useGlobalFilters(new AllExceptionsFilter(null));
    app.useGlobalPipes(createValidationPipe());
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
  });

  const inject = async (method: 'GET' | 'POST', url: string, payload?: string, type = 'application/json') => {
    const response = await app.inject({
      method,
      url,
      ...(payload !== undefined ? { payload, headers: { 'content-type': type } } : {}),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.json<Record<string, unknown>>(),
    };
  };

  it('envelopes a handler that returns nothing, and one that returns a string', async () => {
    expect(await inject('GET', '/probe/nothing')).toMatchObject({
      status: 200,
      body: { success: true, data: null },
    });
    const text = await inject('GET', '/probe/text');
    expect(text).toMatchObject({ status: 200, body: { success: true, data: 'plain words' } });
    expect(text.headers['content-type']).toMatch(/^application\/json/);
    expect(text.headers['cache-control']).toBe('no-store');
  });

  it('answers a queued task with 202', async () => {
    expect(await inject('POST', '/probe/task')).toMatchObject({
      status: 202,
      body: { success: true, data: { task_id: 't-1', status: 'queued' }, message: 'Queued' },
    });
  });

  it('answers a path segment over the length limit with 414 in the error envelope', async () => {
    const response = await inject('GET', `/probe/echo/${'x'.repeat(150)}`);
    expect(response).toMatchObject({ status: 414, body: { success: false, code: 'URI_TOO_LONG' } });
    expect(typeof response.body.request_id).toBe('string');
  });

  it('answers headers over 16 KiB with 431 in the error envelope', async () => {
    const address = app.getHttpServer().address() as { port: number };
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: address.port,
          path: '/probe/nothing',
          headers: { 'x-big': 'y'.repeat(20_000) },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toMatchObject({ success: false, code: 'HEADERS_TOO_LARGE' });
  });

  it('answers malformed JSON with 400, other content types with 415', async () => {
    expect(await inject('POST', '/probe/body', '{"a":')).toMatchObject({
      status: 400,
      body: { success: false, code: 'BAD_REQUEST' },
    });
    expect(await inject('POST', '/probe/body', 'a=1', 'application/x-www-form-urlencoded')).toMatchObject({
      status: 415,
      body: { code: 'UNSUPPORTED_MEDIA_TYPE' },
    });
    expect(await inject('POST', '/probe/body', 'hello', 'text/plain')).toMatchObject({ status: 415 });
  });

  it('refuses JSON nested too deep, NUL characters and lone surrogates, naming the field', async () => {
    const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    expect(await inject('POST', '/probe/body', deep)).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    expect(await inject('POST', '/probe/body', JSON.stringify({ name: 'a\u0000b' }))).toMatchObject({
      status: 400,
      body: { details: { fields: { name: 'must not contain NUL characters' } } },
    });
    expect(await inject('POST', '/probe/body', '{"name":"\\ud800"}')).toMatchObject({
      status: 400,
      body: { details: { fields: { name: expect.stringMatching(/lone surrogate/) as unknown } } },
    });
    expect(await inject('POST', '/probe/body', '{"__proto__":{"admin":true}}')).toMatchObject({
      status: 400,
    });
  });
});
