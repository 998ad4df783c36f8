// Issue 13, point 2: partner events as notifications, per person and synced: an accepted invitation
// (for the inviter), a finished analysis (for every member of the space), a partner who starts
// recording (for the partners, at most once per window); each pulled only by its recipient's
// devices, once, and read on one device means read on all (`notification.read`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type Notification } from '@duet/shared';
import type { TestServer } from './harness.ts';
import { account, clientOf, startWithAccounts, type Account } from './support/accounts.ts';
import { linkPartners, sleep } from './support/api.ts';
import { entitiesOf, type SyncClient } from './support/sync-client.ts';
import { WsProbe, closeAll } from './support/ws-probe.ts';

async function notificationsOf(client: SyncClient): Promise<Notification[]> {
  await client.pull();
  return entitiesOf(client.state, 'notification').sort((a, b) => a.at - b.at);
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await sleep(100);
  }
}

describe('notifications of partner events', () => {
  let server: TestServer;
  let ana: Account;
  let ben: Account;
  let carl: Account;
  let sharedSpaceId: string;

  beforeAll(async () => {
    ({ server } = await startWithAccounts(async () => null));
    ana = await account(server, 'Ana');
    ben = await account(server, 'Ben');
    carl = await account(server, 'Carl');
    sharedSpaceId = await linkPartners(server, ana.token, ben.token);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('tells the inviter that their invitation was accepted, in their personal space only', async () => {
    const anaDevice = clientOf(server, ana, 'ana');
    const notes = await eventually(
      () => notificationsOf(anaDevice),
      (n) => n.length > 0,
    );
    expect(notes).toEqual([
      expect.objectContaining({
        type: 'invite_accepted',
        actorId: ben.userId,
        actorName: 'Ben',
        spaceId: ana.personalSpaceId,
        readAt: null,
      }),
    ]);
    expect(await notificationsOf(clientOf(server, ben, 'ben'))).toEqual([]);
    expect(await notificationsOf(clientOf(server, carl, 'carl'))).toEqual([]);
  });

  it('tells both partners once when an analysis finishes', async () => {
    const anaDevice = clientOf(server, ana, 'ana');
    const transcriptId = newId();
    anaDevice.mutate('transcript.create', { id: transcriptId, spaceId: sharedSpaceId, text: 'Ana: we should rest more', language: 'en' });
    anaDevice.mutate('transcript.submit', { id: transcriptId });
    expect((await anaDevice.push()).results.map((r) => r.status)).toEqual(['applied', 'applied']);

    const benDevice = clientOf(server, ben, 'ben');
    const forBen = await eventually(
      () => notificationsOf(benDevice),
      (n) => n.some((x) => x.type === 'analysis_done'),
    );
    expect(forBen.filter((n) => n.type === 'analysis_done')).toEqual([
      expect.objectContaining({ transcriptId, actorId: ana.userId, actorName: 'Ana', spaceId: ben.personalSpaceId }),
    ]);
    const forAna = await eventually(
      () => notificationsOf(anaDevice),
      (n) => n.some((x) => x.type === 'analysis_done'),
    );
    // Her own transcript: no actor to name.
    expect(forAna.filter((n) => n.type === 'analysis_done')).toEqual([expect.objectContaining({ transcriptId, actorId: null })]);
    expect(await notificationsOf(clientOf(server, carl, 'carl'))).toEqual([]);
  });

  it('tells partners when someone starts recording, once per window however often they start', async () => {
    const benWs = await WsProbe.authed(server, ben.token);
    const benTablet = await WsProbe.authed(server, ben.token);
    try {
      benWs.send({ type: 'activity', activity: 'recording' });
      await sleep(300);
      benWs.send({ type: 'activity', activity: 'idle' });
      await sleep(300);
      benWs.send({ type: 'activity', activity: 'recording' });
      benTablet.send({ type: 'activity', activity: 'recording' });
      const anaDevice = clientOf(server, ana, 'ana');
      const notes = await eventually(
        () => notificationsOf(anaDevice),
        (n) => n.some((x) => x.type === 'partner_recording'),
      );
      await sleep(500);
      const recording = (await notificationsOf(anaDevice)).filter((n) => n.type === 'partner_recording');
      expect(recording).toEqual([expect.objectContaining({ actorId: ben.userId, actorName: 'Ben' })]);
      expect(notes.length).toBeGreaterThan(0);
      expect((await notificationsOf(clientOf(server, ben, 'ben'))).filter((n) => n.type === 'partner_recording')).toEqual([]);
    } finally {
      await closeAll([benWs, benTablet]);
    }
  });

  it('marks a notification read for every device of its recipient, and refuses anyone else', async () => {
    const phone = clientOf(server, ana, 'phone');
    const laptop = clientOf(server, ana, 'laptop');
    const [first] = await notificationsOf(phone);
    expect(first?.readAt).toBeNull();
    const id = (first as Notification).id;

    const benDevice = clientOf(server, ben, 'ben');
    benDevice.mutate('notification.read', { id });
    benDevice.mutate('notification.read', { id: newId() });
    benDevice.mutate('notification.read', { id: 'not/an id' });
    const refused = await benDevice.push();
    expect(refused.results.map((r) => [r.status, r.error?.code])).toEqual([
      ['rejected', 'forbidden'],
      ['rejected', 'forbidden'],
      ['rejected', 'invalid_args'],
    ]);
    expect((await notificationsOf(laptop)).find((n) => n.id === id)?.readAt).toBeNull();

    phone.mutate('notification.read', { id });
    phone.mutate('notification.read', { id });
    expect((await phone.push()).results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const readAt = (await notificationsOf(laptop)).find((n) => n.id === id)?.readAt;
    expect(readAt).toEqual(expect.any(Number));
    // Read twice: the first time stands.
    expect((await notificationsOf(phone)).find((n) => n.id === id)?.readAt).toBe(readAt);
  });
});
