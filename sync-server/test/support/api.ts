/**
 * Thin black-box helpers over the HTTP API: every success body is checked against its schema
 * from @duet/shared, every error against the protocol's error shape.
 */
import request from 'supertest';
import { expect } from 'vitest';
import {
  AuthResponseSchema,
  ErrorBodySchema,
  MeResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  type AuthResponse,
  type MeResponse,
  type PullResponse,
  type PushResponse,
} from '@duet/shared';

/** Anything with the base URL of a running server (a TestServer, or a child process). */
export interface HasUrl {
  url: string;
}

/** One mutation as a push carries it. */
export interface Envelope {
  id: number;
  name: string;
  args: unknown;
  hlc: string;
}

export const bearer = (token: string) => `Bearer ${token}`;

/** Shows the status and body of a response in an assertion message. */
export function describeResponse(res: request.Response): string {
  return `${res.status} ${JSON.stringify(res.body ?? res.text).slice(0, 600)}`;
}

export function expectRequestId(res: request.Response): void {
  const id = res.headers['x-request-id'];
  expect(typeof id === 'string' && id.length > 0, `X-Request-Id missing on ${describeResponse(res)}`).toBe(true);
}

/** Asserts the protocol's error answer: status, `{error: {code, message}}`, and X-Request-Id. */
export function expectError(res: request.Response, status: number, code: string): void {
  expect(res.status, describeResponse(res)).toBe(status);
  expect(res.headers['content-type'] ?? '', 'error bodies are JSON').toMatch(/application\/json/);
  const parsed = ErrorBodySchema.safeParse(res.body);
  expect(parsed.success, `error body shape: ${describeResponse(res)}`).toBe(true);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expectRequestId(res);
}

/** Bad input must never be a 500: a 4xx with the error shape. */
export function expectClientError(res: request.Response, code?: string): void {
  expect(res.status, describeResponse(res)).toBeGreaterThanOrEqual(400);
  expect(res.status, describeResponse(res)).toBeLessThan(500);
  expect(ErrorBodySchema.safeParse(res.body).success, `error body shape: ${describeResponse(res)}`).toBe(true);
  if (code !== undefined) expect(res.body.error.code, describeResponse(res)).toBe(code);
  expectRequestId(res);
}

export function pushRequest(server: HasUrl, token: string, body: unknown) {
  return request(server.url)
    .post('/api/sync/push')
    .set('Authorization', bearer(token))
    .send(body as object);
}

export function pullRequest(server: HasUrl, token: string, body: unknown) {
  return request(server.url)
    .post('/api/sync/pull')
    .set('Authorization', bearer(token))
    .send(body as object);
}

/** Pushes and expects a 200 with a valid body. */
export async function push(server: HasUrl, token: string, clientId: string, mutations: Envelope[]): Promise<PushResponse> {
  const res = await pushRequest(server, token, { clientId, mutations });
  expect(res.status, describeResponse(res)).toBe(200);
  expectRequestId(res);
  return PushResponseSchema.parse(res.body);
}

/** One pull page; expects a 200 with a valid body. */
export async function pull(
  server: HasUrl,
  token: string,
  body: { clientId: string; cursor: string | null; limit?: number },
): Promise<PullResponse> {
  const res = await pullRequest(server, token, body);
  expect(res.status, describeResponse(res)).toBe(200);
  expectRequestId(res);
  return PullResponseSchema.parse(res.body);
}

export async function me(server: HasUrl, token: string): Promise<MeResponse> {
  const res = await request(server.url).get('/api/me').set('Authorization', bearer(token));
  expect(res.status, describeResponse(res)).toBe(200);
  return MeResponseSchema.parse(res.body);
}

export async function login(server: HasUrl, email: string, password: string, deviceName?: string): Promise<AuthResponse> {
  const body: Record<string, string> = { email, password };
  if (deviceName !== undefined) body.deviceName = deviceName;
  const res = await request(server.url).post('/api/auth/login').send(body);
  expect(res.status, describeResponse(res)).toBe(200);
  return AuthResponseSchema.parse(res.body);
}

/** Creates an invite as `inviter` and accepts it as `invitee`; returns the shared space's id. */
export async function linkPartners(server: HasUrl, inviterToken: string, inviteeToken: string): Promise<string> {
  const invite = await request(server.url).post('/api/invites').set('Authorization', bearer(inviterToken));
  expect(invite.status, describeResponse(invite)).toBe(201);
  const accepted = await request(server.url)
    .post('/api/invites/accept')
    .set('Authorization', bearer(inviteeToken))
    .send({ code: invite.body.code });
  expect(accepted.status, describeResponse(accepted)).toBe(200);
  const spaceId: unknown = accepted.body?.space?.id;
  expect(typeof spaceId).toBe('string');
  return spaceId as string;
}

/** The id of the caller's personal space, from /api/me. */
export async function personalSpaceId(server: HasUrl, token: string): Promise<string> {
  const body = await me(server, token);
  const personal = body.spaces.filter((s) => s.kind === 'personal');
  expect(personal, 'exactly one personal space').toHaveLength(1);
  return (personal[0] as { id: string }).id;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
