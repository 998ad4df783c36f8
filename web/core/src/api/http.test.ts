import { describe, expect, it } from 'vitest';
import { PushResponseSchema } from '@duet/shared';
import { ApiClient } from './client.ts';
import { ApiError } from './errors.ts';
import { requestJson } from './http.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('requestJson', () => {
  it('sends the token and validates the answer', async () => {
    let seen: Request | undefined;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      seen = new Request(input, init);
      return json(200, { lastMutationId: 1, results: [] });
    };
    const answer = await requestJson(
      { baseUrl: 'http://x', fetch },
      { method: 'POST', path: '/sync/push', token: 't', body: { a: 1 }, schema: PushResponseSchema },
    );
    expect(answer).toEqual({ lastMutationId: 1, results: [] });
    expect(seen?.url).toBe('http://x/api/sync/push');
    expect(seen?.headers.get('Authorization')).toBe('Bearer t');
  });

  it('turns error bodies into ApiError with code, status and Retry-After', async () => {
    const fetch = async () => json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'Retry-After': '12' });
    const error = await requestJson({ baseUrl: '', fetch }, { method: 'GET', path: '/me', schema: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfter: 12, message: 'slow down' });
  });

  it('reports no answer as status 0 and a malformed answer as invalid_response', async () => {
    const down = async (): Promise<Response> => {
      throw new TypeError('fetch failed');
    };
    await expect(requestJson({ baseUrl: '', fetch: down }, { method: 'GET', path: '/me', schema: null })).rejects.toMatchObject({
      code: 'network',
      status: 0,
    });
    const odd = async () => json(200, { nope: true });
    await expect(requestJson({ baseUrl: '', fetch: odd }, { method: 'GET', path: '/x', schema: PushResponseSchema })).rejects.toMatchObject(
      { code: 'invalid_response' },
    );
  });

  it('ApiClient trims a trailing slash from the base URL', async () => {
    const urls: string[] = [];
    const client = new ApiClient({
      baseUrl: 'http://h/',
      fetch: async (input) => (urls.push(input instanceof Request ? input.url : input.toString()), new Response(null, { status: 204 })),
    });
    await client.logout('t');
    expect(urls).toEqual(['http://h/api/auth/logout']);
  });
});
