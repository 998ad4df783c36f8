import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { errorHandler, UNAVAILABLE_RETRY_AFTER_SECONDS } from './error-handler.ts';

/** An app whose one route throws `error`, with the real error handler and a logger writing to `lines`. */
function appThrowing(error: unknown) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const internalErrors = new Counter({ name: 'test_internal_errors_total', help: 'test', registers: [new Registry()] });
  const app = express();
  app.use((req, _res, next) => {
    (req as { id?: string }).id = 'req-42';
    next();
  });
  app.get('/boom', async () => {
    throw error;
  });
  app.use(errorHandler(logger, { internalErrors }));
  return { app, lines, internalErrors };
}

const pgError = (code: string) => Object.assign(new Error('terminating connection due to administrator command'), { code });

describe('errorHandler', () => {
  it('answers an unknown exception 500 internal, not "try again", logs its stack with the request id, and counts it', async () => {
    const { app, lines, internalErrors } = appThrowing(new TypeError("Cannot read properties of undefined (reading 'id')"));
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal');
    expect(res.body.error.message).not.toMatch(/try again/i);
    expect(res.headers['retry-after']).toBeUndefined();
    const logged = lines.find((l) => l.msg === 'request failed');
    expect(logged?.requestId).toBe('req-42');
    expect(String((logged?.err as { stack?: string } | undefined)?.stack)).toMatch(/TypeError: Cannot read properties/);
    expect((await internalErrors.get()).values[0]?.value).toBe(1);
  });

  it.each<[string, unknown]>([
    ['a terminated connection (57P01)', pgError('57P01')],
    ['a statement timeout (57014)', pgError('57014')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
  ])('answers %s 503 unavailable with Retry-After, and does not count it as a bug', async (_name, error) => {
    const { app, internalErrors } = appThrowing(error);
    const res = await request(app).get('/boom');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(res.headers['retry-after']).toBe(String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    expect((await internalErrors.get()).values[0]?.value ?? 0).toBe(0);
  });

  it('adds Retry-After to a 503 raised as an ApiError without one, and keeps one that is set', async () => {
    const plain = await request(appThrowing(new ApiError(503, 'unavailable', 'shutting down')).app).get('/boom');
    expect(plain.headers['retry-after']).toBe(String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    const own = await request(appThrowing(new ApiError(503, 'unavailable', 'busy', undefined, { 'Retry-After': '9' })).app).get('/boom');
    expect(own.headers['retry-after']).toBe('9');
  });

  it('answers a data error that escaped validation 500 internal: it would fail the same way again', async () => {
    const res = await request(appThrowing(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' })).app).get(
      '/boom',
    );
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal');
  });
});
