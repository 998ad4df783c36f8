/**
 * A whole client on in-memory parts against the fake server, with several people who can sign in
 * on the same device (by email): for the workflow tests.
 */
import type { PullRequest, PushRequest, Space, User } from '@duet/shared';
import { ApiClient } from '../../api/client.ts';
import { ApiError } from '../../api/errors.ts';
import { MemoryRecordingStore } from '../../audio/memory-recording-store.ts';
import { FakeTusServer } from '../../audio/testing/fake-tus-server.ts';
import { MemoryStorage } from '../../sync/memory-storage.ts';
import { localBus, manualSignal, processLock } from '../../sync/platform.ts';
import { FakeServer } from '../../sync/testing/fake-server.ts';
import { assembleDuetClient } from '../client.ts';
import type { DuetClientParts } from '../client.ts';

export const PEOPLE: Record<string, User> = {
  'ana@example.com': { id: 'ana', email: 'ana@example.com', displayName: 'Ana', locale: 'en', timeZone: 'UTC' },
  'ben@example.com': { id: 'ben', email: 'ben@example.com', displayName: 'Ben', locale: 'en', timeZone: 'UTC' },
};

/** The one invite code the fake server knows (Ben's). */
export const INVITE_CODE = 'WXYZ-2345-6789';

function fakeFetch(server: FakeServer): typeof fetch {
  const tokens = new Map(Object.values(PEOPLE).map((user) => [user.id, server.addUser(user.id)] as const));
  const reply = (status: number, body?: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status });
  const byToken = (auth: string) => Object.values(PEOPLE).find((user) => tokens.get(user.id)?.token === auth);
  return async (input, init) => {
    const path = new URL(input instanceof Request ? input.url : input.toString(), 'http://local').pathname;
    const body: unknown = init?.body ? JSON.parse(init.body as string) : undefined;
    const auth = new Headers(init?.headers).get('Authorization')?.slice('Bearer '.length) ?? '';
    if (path === '/api/auth/login') {
      const user = PEOPLE[(body as { email: string }).email];
      if (!user) return reply(401, { error: { code: 'invalid_credentials', message: 'no' } });
      return reply(200, { token: tokens.get(user.id)?.token, deviceId: `device-${user.id}`, user });
    }
    if (path === '/api/auth/logout') return reply(204);
    const user = byToken(auth);
    if (!user) return reply(401, { error: { code: 'unauthorized', message: 'no' } });
    if (path === '/api/me') return reply(200, { user, spaces: [server.entity('space', `personal-${user.id}`) as Space] });
    if (path === '/api/invites')
      return reply(201, { code: 'ABCD-EFGH-JKLM', expiresAt: new Date(server.now + 7 * 86_400_000).toISOString() });
    if (path === '/api/invites/accept') {
      const code = (body as { code: string }).code;
      if (code !== INVITE_CODE) return reply(404, { error: { code: 'invite_not_found', message: 'no such invite' } });
      const space: Space = {
        id: 'shared-1',
        kind: 'shared',
        members: [
          { userId: 'ben', displayName: 'Ben' },
          { userId: user.id, displayName: user.displayName },
        ],
      };
      server.putSpace(space);
      return reply(200, { space });
    }
    try {
      if (path === '/api/sync/push') return reply(200, await server.push(auth, body as PushRequest));
      if (path === '/api/sync/pull') return reply(200, await server.pull(auth, body as PullRequest));
    } catch (error) {
      // The fake server's failures (server.failures) go over the wire as the real server sends them.
      if (error instanceof ApiError) return reply(error.status, { error: { code: error.code, message: error.message } });
      throw error;
    }
    return reply(404, { error: { code: 'not_found', message: path } });
  };
}

export function clientHarness(parts: Partial<DuetClientParts> = {}, options: { online?: boolean } = {}) {
  const server = new FakeServer();
  const online = manualSignal(options.online ?? true);
  const recordings = new MemoryRecordingStore();
  const tus = new FakeTusServer();
  const client = assembleDuetClient({
    storage: new MemoryStorage(),
    api: new ApiClient({ fetch: fakeFetch(server) }),
    engine: {
      online,
      visibility: manualSignal(true),
      lock: processLock(),
      bus: localBus(),
      clock: { now: () => server.now },
      periodicMs: 3_600_000,
    },
    audio: { store: recordings, transport: tus },
    autoStart: false,
    ...parts,
  });
  const signIn = async (email: string) => {
    await client.auth.login({ email, password: 'password1' });
    return (await client.read.me())?.personalSpaceId ?? '';
  };
  return { server, online, recordings, tus, client, signIn };
}
