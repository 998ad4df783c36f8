import { describe, expect, it } from 'vitest';
import { manualSignal } from '../sync/platform.ts';
import type { Timers } from '../sync/platform.ts';
import { MemoryRecordingStore } from './memory-recording-store.ts';
import { MAX_AUDIO_BYTES } from './recording.ts';
import { FakeTusServer } from './testing/fake-tus-server.ts';
import { DEFAULT_CHUNK_BYTES, UploadManager } from './upload-manager.ts';
import type { TranscriptPresence, UploadManagerDeps, UploadView } from './upload-manager.ts';

const KiB = 1024;
const ENDPOINT = 'https://duet.test/api/uploads';

/** Timers that only fire when the test says so. */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 1;
  const timers: Timers = {
    setTimeout(callback, ms) {
      pending.set(next, { callback, ms });
      return next++;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  const delays = () => [...pending.values()].map((t) => t.ms);
  const fireAll = () => {
    const due = [...pending.values()];
    pending.clear();
    for (const t of due) t.callback();
  };
  return { timers, delays, fireAll };
}

/** Lets queued callbacks, microtasks and the fake server's setImmediate steps run until `done`. */
async function until(done: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (done()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function setup(
  options: { presence?: TranscriptPresence; online?: boolean; token?: string | null; deps?: Partial<UploadManagerDeps> } = {},
) {
  const store = new MemoryRecordingStore();
  const server = new FakeTusServer();
  const online = manualSignal(options.online ?? true);
  const clock = manualTimers();
  const presence = new Map<string, TranscriptPresence>();
  const world = new Set<() => void>();
  const state = { token: options.token === undefined ? 'device-token' : options.token };
  const deps: UploadManagerDeps = {
    store,
    transport: server,
    endpoint: ENDPOINT,
    online,
    token: () => state.token,
    presence: async (id) => presence.get(id) ?? options.presence ?? 'confirmed',
    onWorldChange: (listener) => {
      world.add(listener);
      return () => world.delete(listener);
    },
    timers: clock.timers,
    retryDelaysMs: [1_000, 5_000],
    ...options.deps,
  };
  const manager = new UploadManager(deps);
  const changeWorld = () => world.forEach((l) => l());
  return { store, server, online, clock, presence, state, deps, manager, changeWorld };
}

const audio = (bytes: number) => new Blob([new Uint8Array(bytes)], { type: 'audio/webm;codecs=opus' });

async function record(manager: UploadManager, transcriptId: string, bytes: number) {
  await manager.add({ transcriptId, blob: audio(bytes), mimeType: 'audio/webm;codecs=opus', durationMs: 2_000 });
}

const stateOf = (manager: UploadManager, id: string): UploadView['state'] | undefined => manager.view(id)?.state;

describe('UploadManager', () => {
  it('uploads in 256 KiB chunks with the device token and the metadata, then marks it uploaded', async () => {
    const h = setup();
    h.server.transcripts.add('t1');
    await h.manager.start();
    const seen: number[] = [];
    h.manager.subscribe(() => seen.push(h.manager.view('t1')?.uploadedBytes ?? -1));
    await record(h.manager, 't1', 600 * KiB);

    await until(() => stateOf(h.manager, 't1') === 'uploaded', 'uploaded');
    expect(h.server.attempts).toEqual([
      {
        uploadUrl: null,
        token: 'device-token',
        metadata: { transcriptId: 't1', filetype: 'audio/webm;codecs=opus' },
        chunkSize: DEFAULT_CHUNK_BYTES,
        startOffset: 0,
      },
    ]);
    expect(DEFAULT_CHUNK_BYTES).toBe(256 * KiB);
    expect(h.server.chunks).toEqual([256 * KiB, 256 * KiB, 88 * KiB]);
    expect(seen).toEqual(expect.arrayContaining([256 * KiB, 512 * KiB, 600 * KiB]));
    expect(h.manager.view('t1')).toMatchObject({ uploadedBytes: 600 * KiB, totalBytes: 600 * KiB, error: null, waiting: null });
    expect(await h.store.get('t1')).toMatchObject({ state: 'uploaded', uploadUrl: 'https://duet.test/api/uploads/u1' });
  });

  it('waits until the transcript is on the server, then starts on the next change', async () => {
    const h = setup({ presence: 'pending' });
    h.server.transcripts.add('t1');
    await h.manager.start();
    await record(h.manager, 't1', 10 * KiB);
    await until(() => h.manager.view('t1')?.waiting === 'not_synced');
    expect(h.server.attempts).toHaveLength(0);

    h.presence.set('t1', 'confirmed');
    h.changeWorld();
    await until(() => stateOf(h.manager, 't1') === 'uploaded', 'uploaded');
    expect(h.server.attempts).toHaveLength(1);
  });

  it('retries later when the server does not know the transcript yet (403)', async () => {
    const h = setup();
    await h.manager.start();
    await record(h.manager, 't1', 10 * KiB);
    await until(() => h.manager.view('t1')?.waiting === 'retrying', 'retrying');
    expect(h.clock.delays()).toEqual([1_000]);
    expect(stateOf(h.manager, 't1')).toBe('pending');

    h.clock.fireAll();
    await until(() => h.clock.delays().length === 1, 'second retry');
    expect(h.clock.delays()).toEqual([5_000]);

    h.server.transcripts.add('t1');
    h.clock.fireAll();
    await until(() => stateOf(h.manager, 't1') === 'uploaded', 'uploaded');
    expect(h.server.attempts).toHaveLength(3);
  });

  it('resumes from the server offset after the connection drops, without sending bytes twice', async () => {
    const h = setup();
    h.server.transcripts.add('t1');
    h.server.dropAfterChunks = 2;
    await h.manager.start();
    await record(h.manager, 't1', 1024 * KiB);
    await until(() => h.manager.view('t1')?.waiting === 'retrying', 'retrying');
    expect(h.manager.view('t1')?.uploadedBytes).toBe(512 * KiB);

    h.clock.fireAll();
    await until(() => stateOf(h.manager, 't1') === 'uploaded', 'uploaded');
    expect(h.server.attempts.map((a) => [a.uploadUrl, a.startOffset])).toEqual([
      [null, 0],
      ['https://duet.test/api/uploads/u1', 512 * KiB],
    ]);
    expect(h.server.bytesReceived).toBe(1024 * KiB);
  });

  it('pauses when the device goes offline and resumes when it is back', async () => {
    const h = setup();
    h.server.transcripts.add('t1');
    h.server.stallAfterChunks = 1;
    await h.manager.start();
    await record(h.manager, 't1', 512 * KiB);
    await until(() => h.server.chunks.length === 1, 'one chunk');

    h.online.set(false);
    await until(() => h.manager.view('t1')?.waiting === 'offline', 'offline');
    expect(h.manager.view('t1')).toMatchObject({ state: 'pending', uploadedBytes: 256 * KiB });

    h.online.set(true);
    await until(() => stateOf(h.manager, 't1') === 'uploaded', 'uploaded');
    expect(h.server.attempts.map((a) => a.startOffset)).toEqual([0, 256 * KiB]);
    expect(h.server.bytesReceived).toBe(512 * KiB);
  });

  it('resumes after the app was closed, from the upload URL kept with the recording', async () => {
    const h = setup();
    h.server.transcripts.add('t1');
    h.server.stallAfterChunks = 2;
    await h.manager.start();
    await record(h.manager, 't1', 768 * KiB);
    await until(() => h.server.chunks.length === 2, 'two chunks');
    await h.manager.stop();

    // The app starts again, offline: the stored progress shows, nothing is sent.
    const reopened = new UploadManager({ ...h.deps, online: manualSignal(false) });
    await reopened.start();
    expect(reopened.view('t1')).toMatchObject({ state: 'pending', uploadedBytes: 512 * KiB, totalBytes: 768 * KiB, waiting: 'offline' });

    const online = new UploadManager({ ...h.deps, online: manualSignal(true) });
    await online.start();
    await until(() => stateOf(online, 't1') === 'uploaded', 'uploaded');
    expect(h.server.attempts.at(-1)).toMatchObject({ uploadUrl: 'https://duet.test/api/uploads/u1', startOffset: 512 * KiB });
    expect(h.server.bytesReceived).toBe(768 * KiB);
  });

  it('refuses a recording over the size limit before uploading anything', async () => {
    expect(MAX_AUDIO_BYTES).toBe(50 * 1024 * 1024);
    const h = setup({ deps: { maxBytes: 100 * KiB } });
    h.server.transcripts.add('t1');
    await h.manager.start();
    await record(h.manager, 't1', 100 * KiB + 1);
    await until(() => stateOf(h.manager, 't1') === 'failed', 'failed');
    expect(h.manager.view('t1')?.error).toBe('too_large');
    expect(h.server.attempts).toHaveLength(0);
    expect((await h.store.get('t1'))?.error).toBe('too_large');
  });

  it('fails as too large when the server answers 413, and does not retry', async () => {
    const h = setup();
    h.server.transcripts.add('t1');
    h.server.maxBytes = 1 * KiB;
    await h.manager.start();
    await record(h.manager, 't1', 2 * KiB);
    await until(() => stateOf(h.manager, 't1') === 'failed', 'failed');
    expect(h.manager.view('t1')?.error).toBe('too_large');
    expect(h.clock.delays()).toEqual([]);
  });

  it('fails as over the quota when the server says the audio quota is used up, not as too large, and does not retry', async () => {
    const h = setup();
    h.server.transcripts.add('t1');
    h.server.quotaLeft = 1 * KiB;
    await h.manager.start();
    await record(h.manager, 't1', 2 * KiB);
    await until(() => stateOf(h.manager, 't1') === 'failed', 'failed');
    expect(h.manager.view('t1')?.error).toBe('over_quota');
    expect((await h.store.get('t1'))?.error).toBe('over_quota');
    expect(h.clock.delays()).toEqual([]);
  });

  it('fails as over the plan when the month’s audio minutes are used up, and does not retry', async () => {
    const h = setup();
    h.server.transcripts.add('t1');
    h.server.planLimitReached = true;
    await h.manager.start();
    await record(h.manager, 't1', 2 * KiB);
    await until(() => stateOf(h.manager, 't1') === 'failed', 'failed');
    expect(h.manager.view('t1')?.error).toBe('over_plan');
    expect((await h.store.get('t1'))?.error).toBe('over_plan');
    expect(h.clock.delays()).toEqual([]);
  });

  it('starts a new upload after the server let the unfinished one expire (410)', async () => {
    const h = setup();
    h.server.transcripts.add('t1');
    h.server.dropAfterChunks = 1;
    await h.manager.start();
    await record(h.manager, 't1', 600 * KiB);
    await until(() => h.manager.view('t1')?.waiting === 'retrying', 'retrying after the drop');
    const stale = (await h.store.get('t1'))?.uploadUrl as string;
    expect(stale).toBeTruthy();
    h.server.expired.add(stale);

    h.clock.fireAll();
    await until(() => h.server.attempts.length === 2 && h.manager.view('t1')?.waiting === 'retrying', 'the 410');
    expect((await h.store.get('t1'))?.uploadUrl).toBeNull();
    h.clock.fireAll();
    await until(() => stateOf(h.manager, 't1') === 'uploaded', 'uploaded');
    expect(h.server.attempts.at(-1)?.uploadUrl).toBeNull();
  });

  it('waits while offline or signed out', async () => {
    const h = setup({ online: false, token: null });
    h.server.transcripts.add('t1');
    await h.manager.start();
    await record(h.manager, 't1', 1 * KiB);
    await until(() => h.manager.view('t1')?.waiting === 'offline');

    h.online.set(true);
    await until(() => h.manager.view('t1')?.waiting === 'signed_out');
    expect(h.server.attempts).toHaveLength(0);

    h.state.token = 'device-token';
    h.changeWorld();
    await until(() => stateOf(h.manager, 't1') === 'uploaded', 'uploaded');
  });

  it('deletes the local recording when the transcript was deleted, and on discard', async () => {
    const h = setup({ presence: 'pending' });
    await h.manager.start();
    await record(h.manager, 't1', 1 * KiB);
    await record(h.manager, 't2', 1 * KiB);
    h.presence.set('t1', 'deleted');
    h.changeWorld();
    await until(() => h.manager.view('t1') === null, 't1 gone');
    expect(await h.store.get('t1')).toBeNull();

    await h.manager.discard('t2');
    expect(h.manager.view('t2')).toBeNull();
    expect(await h.store.all()).toEqual([]);
  });
});
