/** Builds an engine on a given storage against a FakeServer, with every platform adapter injected. */
import type { User } from '@duet/shared';
import { SyncEngine } from '../engine.ts';
import type { SyncEngineOptions } from '../engine.ts';
import { setMeta } from '../meta.ts';
import { localBus, manualSignal, processLock } from '../platform.ts';
import type { SyncStatus } from '../status.ts';
import type { SyncStorage } from '../storage.ts';
import { FakeServer } from './fake-server.ts';

export const USER: User = { id: 'u1', email: 'u1@example.com', displayName: 'U1', locale: 'en', timeZone: 'UTC' };

export interface Harness {
  server: FakeServer;
  engine: SyncEngine;
  online: ReturnType<typeof manualSignal>;
  token: string;
  personalSpaceId: string;
  clock: { now: number };
}

/** Saves a signed-in user in the store, as a login would, and the spaces the server has for them. */
export async function signIn(storage: SyncStorage, token: string, user: User = USER): Promise<void> {
  await storage.write(async (tx) => {
    await setMeta(tx, 'user', user);
    await setMeta(tx, 'auth', { token, deviceId: 'd1' });
  });
}

export function makeEngine(
  storage: SyncStorage,
  server: FakeServer,
  options: Partial<SyncEngineOptions> & { clock?: { now(): number } } = {},
) {
  const online = manualSignal(true);
  const engine = new SyncEngine({
    storage,
    transport: server,
    clock: { now: () => server.now },
    online,
    visibility: manualSignal(true),
    lock: processLock(),
    bus: localBus(),
    random: () => 0.5,
    ...options,
  });
  return { engine, online };
}

export async function harness(storage: SyncStorage, options: Partial<SyncEngineOptions> = {}): Promise<Harness> {
  const server = new FakeServer();
  const { token, personalSpaceId } = server.addUser(USER.id);
  await signIn(storage, token);
  const { engine, online } = makeEngine(storage, server, options);
  return { server, engine, online, token, personalSpaceId, clock: { now: server.now } };
}

/** Resolves when the engine's status satisfies `predicate` (checked at once and on every change). */
export function statusWhere(engine: SyncEngine, predicate: (s: SyncStatus) => boolean): Promise<SyncStatus> {
  return new Promise((resolve) => {
    if (predicate(engine.getStatus())) return resolve(engine.getStatus());
    const unsubscribe = engine.subscribe((s) => {
      if (!predicate(s)) return;
      unsubscribe();
      resolve(s);
    });
  });
}
