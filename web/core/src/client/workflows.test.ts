// The client's workflows end to end on in-memory parts: transcripts with recordings, sign-out that
// clears everything of the person, another person signing in on the same device.
import { describe, expect, it, vi } from 'vitest';
import { clientHarness } from './testing/fake-api.ts';

const recording = () => ({ blob: new Blob([new Uint8Array(64)], { type: 'audio/webm' }), mimeType: 'audio/webm', durationMs: 1234.4 });

describe('transcripts.create', () => {
  it('keeps the recording, creates the transcript and submits it when asked', async () => {
    const { client, recordings, signIn } = clientHarness();
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    const { id } = await client.transcripts.create({ spaceId, text: 'Hello', language: 'en', audio: recording(), submit: true });
    expect(await client.read.transcript(id)).toMatchObject({ id, spaceId, text: 'Hello', durationMs: 1234, pending: true });
    expect((await client.read.transcript(id))?.status).not.toBe('draft');
    expect((await recordings.all()).map((r) => r.transcriptId)).toEqual([id]);
    expect(client.audio.uploads.view(id)).toMatchObject({ state: 'pending' });
    const outbox = await client.engine.read((tx) => tx.getAll('outbox'));
    expect(outbox.map((e) => e.name).filter((n) => n.startsWith('transcript.'))).toEqual(['transcript.create', 'transcript.submit']);
  });

  it('saves a draft without a recording', async () => {
    const { client, recordings, signIn } = clientHarness();
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    const { id } = await client.transcripts.create({ spaceId, text: 'Draft', language: 'en', submit: false });
    expect(await client.read.transcript(id)).toMatchObject({ status: 'draft', text: 'Draft' });
    expect(await recordings.all()).toEqual([]);
  });

  it('keeps no recording for a transcript that was refused', async () => {
    const { client, recordings, signIn } = clientHarness();
    await client.ready;
    await signIn('ana@example.com');
    await expect(
      client.transcripts.create({ spaceId: 'not-a-space', text: 'x', language: 'en', audio: recording(), submit: false }),
    ).rejects.toMatchObject({
      code: expect.any(String),
    });
    expect(await recordings.all()).toEqual([]);
    expect(await client.read.transcripts()).toEqual([]);
  });
});

describe('signing out and in as another person', () => {
  it('signOut clears the recordings of the person too', async () => {
    const { client, recordings, signIn } = clientHarness();
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    const { id } = await client.transcripts.create({ spaceId, text: 'Mine', language: 'en', audio: recording(), submit: false });
    expect(await recordings.all()).toHaveLength(1);

    expect(await client.signOut({ force: true })).toEqual({ pending: 0 });
    expect(await recordings.all()).toEqual([]);
    expect(client.audio.uploads.view(id)).toBeNull();
    expect(await client.read.transcripts()).toEqual([]);
  });

  it('another person signing in starts clean, recordings included', async () => {
    const { client, recordings, signIn } = clientHarness();
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    await client.transcripts.create({ spaceId, text: 'Ana only', language: 'en', audio: recording(), submit: false });
    // Ana's sign-in is lost (a 401 drops the token) without her signing out: her data stays.
    await client.engine.write(['meta'], async (tx) => tx.put('meta', { key: 'auth', value: null }));
    await vi.waitFor(() => expect(client.auth.current()).toBeNull());
    expect(await recordings.all()).toHaveLength(1);

    const bensSpace = await signIn('ben@example.com');
    expect(bensSpace).toBe('personal-ben');
    expect(await recordings.all()).toEqual([]);
    expect(await client.read.transcripts()).toEqual([]);
    expect((await client.read.me())?.user.id).toBe('ben');
  });

  it('the same person signing in again keeps their recordings', async () => {
    const { client, recordings, signIn } = clientHarness();
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    await client.transcripts.create({ spaceId, text: 'Kept', language: 'en', audio: recording(), submit: false });
    await client.engine.write(['meta'], async (tx) => tx.put('meta', { key: 'auth', value: null }));
    await vi.waitFor(() => expect(client.auth.current()).toBeNull());
    await signIn('ana@example.com');
    expect(await recordings.all()).toHaveLength(1);
  });
});

describe('Background Sync', () => {
  it('is asked for whenever the outbox grows offline, also by the session tracker', async () => {
    const backgroundSync = vi.fn(async () => true);
    const { client, online, signIn } = clientHarness({ backgroundSync });
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    await client.mutate('conversation.create', { id: 'c1', spaceId, title: 'Online' });
    expect(backgroundSync).not.toHaveBeenCalled();

    online.set(false);
    await client.mutate('conversation.create', { id: 'c2', spaceId, title: 'Offline' });
    expect(backgroundSync).toHaveBeenCalledTimes(1);
    await client.sessionTracker.start();
    expect(backgroundSync).toHaveBeenCalledTimes(2);
  });

  it('a platform sync event (the service worker relaying Background Sync) syncs', async () => {
    const platform: { wake: (() => void) | null } = { wake: null };
    const onPlatformSync = (onSync: () => void) => {
      platform.wake = onSync;
      return () => (platform.wake = null);
    };
    const { client, server, signIn } = clientHarness({ onPlatformSync });
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    await client.mutate('conversation.create', { id: 'c1', spaceId, title: 'Woken' });
    expect(server.entity('conversation', 'c1')).toBeUndefined();
    platform.wake?.();
    await vi.waitFor(() => expect(server.entity('conversation', 'c1')).toBeDefined());
    client.close();
    expect(platform.wake).toBeNull();
  });
});
