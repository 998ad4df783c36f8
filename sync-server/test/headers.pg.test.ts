// Security headers and the smaller leaks of issue 9 section 6: HSTS and the CSP's
// upgrade-insecure-requests only over TLS, connect-src to the app's own origin, who may read
// /metrics, and Node's own 431 answer in the protocol's shape.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { bearer, describeResponse, expectError } from './support/api.ts';

/** The CSP header as a map of directive -> values. */
function cspOf(res: request.Response): Map<string, string[]> {
  const header = String(res.headers['content-security-policy'] ?? '');
  expect(header, 'a Content-Security-Policy header').not.toBe('');
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

describe('security headers and /metrics access', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('HSTS and upgrade-insecure-requests', () => {
    it('are not sent over plain HTTP, where they would make the browser fetch the app over https', async () => {
      const res = await request(server.url).get('/api/health');
      expect(res.status, describeResponse(res)).toBe(200);
      expect(cspOf(res).has('upgrade-insecure-requests')).toBe(false);
      expect(res.headers['strict-transport-security']).toBeUndefined();
    });

    it('are sent when a trusted (loopback) proxy says the request came over https', async () => {
      const res = await request(server.url).get('/api/health').set('X-Forwarded-Proto', 'https');
      expect(res.status, describeResponse(res)).toBe(200);
      expect(cspOf(res).has('upgrade-insecure-requests')).toBe(true);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    });

    it('keep the rest of the policy the same either way', async () => {
      const plain = cspOf(await request(server.url).get('/api/health'));
      const tls = cspOf(await request(server.url).get('/api/health').set('X-Forwarded-Proto', 'https'));
      tls.delete('upgrade-insecure-requests');
      expect(plain).toEqual(tls);
    });
  });

  it("limits connect-src to the app's own origin (no other ws:/wss: host)", async () => {
    const csp = cspOf(await request(server.url).get('/api/health'));
    expect(csp.get('connect-src')).toEqual(["'self'"]);
  });

  it('answers headers too large with 431, the error body and X-Request-Id', async () => {
    const res = await request(server.url).get('/api/health').set('X-Padding', 'a'.repeat(20_000));
    expectError(res, 431, 'headers_too_large');
    expect(res.headers.connection).toBe('close');
  });

  describe('/metrics with neither METRICS_TOKEN nor METRICS_PORT', () => {
    it('is served to a caller on this machine', async () => {
      const res = await request(server.url).get('/metrics');
      expect(res.status, describeResponse(res)).toBe(200);
      expect(res.text).toContain('duet_http_request_duration_seconds');
    });

    it('is refused to a client a loopback proxy forwards from elsewhere', async () => {
      const res = await request(server.url).get('/metrics').set('X-Forwarded-For', '203.0.113.7');
      expectError(res, 403, 'forbidden');
      expect(res.text).not.toContain('duet_');
    });
  });

  describe('/metrics with METRICS_TOKEN', () => {
    let withToken: TestServer;
    beforeAll(async () => {
      withToken = await startTestServer({ metrics: { token: METRICS_TOKEN, host: '127.0.0.1', port: null } });
    });
    afterAll(async () => {
      await withToken?.close();
    });

    it('needs the token as a bearer token, even from this machine', async () => {
      expectError(await request(withToken.url).get('/metrics'), 401, 'unauthorized');
      expectError(
        await request(withToken.url)
          .get('/metrics')
          .set('Authorization', bearer(`${METRICS_TOKEN}x`)),
        401,
        'unauthorized',
      );
      const res = await request(withToken.url)
        .get('/metrics')
        .set('Authorization', bearer(METRICS_TOKEN))
        .set('X-Forwarded-For', '203.0.113.7');
      expect(res.status, describeResponse(res)).toBe(200);
      expect(res.text).toContain('duet_http_request_duration_seconds');
    });
  });

  describe('/metrics with METRICS_PORT', () => {
    let separate: TestServer;
    beforeAll(async () => {
      separate = await startTestServer({ metrics: { token: null, host: '127.0.0.1', port: 0 } });
    });
    afterAll(async () => {
      await separate?.close();
    });

    it('is served on its own listener only', async () => {
      expect(separate.metricsUrl).not.toBeNull();
      expect(separate.metricsUrl).not.toBe(separate.url);
      const res = await request(separate.metricsUrl as string).get('/metrics');
      expect(res.status, describeResponse(res)).toBe(200);
      expect(res.text).toContain('duet_http_request_duration_seconds');
      expectError(await request(separate.url).get('/metrics'), 404, 'not_found');
      expect((await request(separate.metricsUrl as string).get('/api/health')).status, 'the metrics listener serves nothing else').toBe(
        404,
      );
    });
  });
});
