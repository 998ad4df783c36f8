// Client error reports (issue 13): logged with the app version and request id, never a message;
// bad reports are 400; reports are limited per address.
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { expectError } from './support/api.ts';

describe('client error reports', () => {
  let server: TestServer;
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });

  beforeAll(async () => {
    server = await startTestServer({ clientErrorLimit: { points: 3, windowSec: 300 } }, { logger: pino({ level: 'warn' }, stream) });
  });
  afterAll(async () => {
    await server?.close();
  });

  const report = {
    appVersion: '0.1.0',
    kind: 'error',
    name: 'TypeError',
    stack: '    at render (app.js:1:2)',
    path: '/conversations/x',
    requestId: '01JREQUEST',
  };

  it('logs a report with the app version and the failed request id, and drops any message', async () => {
    const res = await request(server.url)
      .post('/api/client-errors')
      .send({ ...report, message: 'my secret message text' });
    expect(res.status).toBe(204);
    const line = lines.find((l) => l.msg === 'client error');
    expect(line?.appVersion).toBe('0.1.0');
    expect(line?.failedRequestId).toBe('01JREQUEST');
    expect(JSON.stringify(line)).not.toContain('my secret message text');
  });

  it('answers 400 invalid_body for a report that is not one', async () => {
    expectError(await request(server.url).post('/api/client-errors').send({ kind: 'error' }), 400, 'invalid_body');
    expectError(
      await request(server.url)
        .post('/api/client-errors')
        .send({ ...report, requestId: 'bad id!' }),
      400,
      'invalid_body',
    );
  });

  it('limits reports per address with 429 and Retry-After', async () => {
    let last: request.Response | null = null;
    for (let i = 0; i < 4; i++) last = await request(server.url).post('/api/client-errors').send(report);
    expectError(last as request.Response, 429, 'rate_limited');
    expect(last?.headers['retry-after']).toBeDefined();
  });
});
