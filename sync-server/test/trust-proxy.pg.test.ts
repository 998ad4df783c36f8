// TRUST_PROXY: the server believes X-Forwarded-* only from the proxies it names, so a client that
// reaches it directly cannot pick the address it is rate-limited by, nor claim https.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { describeResponse } from './support/api.ts';
import { expectRateLimited, fromIp } from './support/rate-limits.ts';

const signupFrom = (server: TestServer, ip: string, n: number) =>
  request(server.url)
    .post('/api/auth/signup')
    .set(fromIp(ip))
    .send({ email: `proxy${n}_${Math.random().toString(16).slice(2)}@example.test`, password: 'pw-proxy-test-1', displayName: 'P' });

describe('TRUST_PROXY', () => {
  it('parses addresses, CIDR ranges, names and false, and refuses anything else', () => {
    expect(loadConfig({}).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8' }).trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8']);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'none' }).trustProxy).toBe(false);
    for (const bad of ['true', '*', 'lb.example.test', '10.0.0.300', '10.0.0.0/40', ',', 'loopback,false']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(ConfigError);
    }
  });

  describe('naming a proxy that is not the caller', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ trustProxy: ['192.0.2.10'], signupRateLimit: { points: 2, windowSec: 3600 } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('ignores the X-Forwarded-For a direct client sends: every signup counts against its own address', async () => {
      for (const [n, ip] of ['198.51.100.1', '198.51.100.2'].entries()) {
        const res = await signupFrom(server, ip, n);
        expect(res.status, describeResponse(res)).toBe(201);
      }
      expectRateLimited(await signupFrom(server, '198.51.100.3', 3), 3600);
    });

    it('ignores X-Forwarded-Proto: no HSTS for a client that only says it used https', async () => {
      const res = await request(server.url).get('/api/health').set('X-Forwarded-Proto', 'https');
      expect(res.status).toBe(200);
      expect(res.headers['strict-transport-security']).toBeUndefined();
    });
  });

  describe('naming the proxy the requests come through (loopback here)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ trustProxy: ['127.0.0.1', '::1'], signupRateLimit: { points: 2, windowSec: 3600 } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('limits by the client address the proxy forwards', async () => {
      for (const [n, ip] of ['198.51.100.1', '198.51.100.2', '198.51.100.3'].entries()) {
        const res = await signupFrom(server, ip, n);
        expect(res.status, describeResponse(res)).toBe(201);
      }
    });
  });
});
