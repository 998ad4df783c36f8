import { describe, expect, it } from 'vitest';
import { clientHarness } from './testing/fake-api.ts';
import { readSyncHealth } from './sync-health.ts';

describe('readSyncHealth', () => {
  it('counts what waits by kind, the oldest, recordings waiting, storage; and nothing once synced', async () => {
    const h = clientHarness({ storageManager: { estimate: async () => ({ usage: 2_048, quota: 1_000_000 }) } }, { online: false });
    await h.client.ready;
    h.online.set(true);
    const spaceId = await h.signIn('ana@example.com');
    await h.client.engine.syncNow();
    h.online.set(false);
    const first = h.server.now;
    await h.client.mutate('conversation.create', { id: 'c1', spaceId, title: 'Plans' });
    await h.client.mutate('message.add', { id: 'm1', conversationId: 'c1', body: 'one' });
    await h.client.mutate('message.add', { id: 'm2', conversationId: 'c1', body: 'two' });
    await h.client.transcripts.create({
      spaceId,
      text: 'talk',
      language: 'en',
      audio: { blob: new Blob([new Uint8Array(1_000)], { type: 'audio/webm' }), mimeType: 'audio/webm', durationMs: 1_000 },
      submit: false,
    });

    const offline = await readSyncHealth(h.client, async () => false);
    expect(offline).toMatchObject({
      pending: 5,
      // The transcript workflow also records a session activity.
      pendingByKind: { conversation: 1, message: 2, transcript: 1, session: 1 },
      oldestPendingAt: first,
      audioWaiting: 1,
      audioWaitingBytes: 1_000,
      audioFailed: 0,
      storage: { usage: 2_048, quota: 1_000_000 },
      persisted: false,
    });
    expect(offline.lastSyncAt).not.toBeNull();

    h.online.set(true);
    await h.client.engine.syncNow();
    const synced = await readSyncHealth(h.client);
    expect(synced).toMatchObject({ pending: 0, pendingByKind: {}, oldestPendingAt: null, persisted: null });
  });
});
