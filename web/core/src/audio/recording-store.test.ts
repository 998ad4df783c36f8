import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { IdbRecordingStore } from './idb-recording-store.ts';
import { MemoryRecordingStore } from './memory-recording-store.ts';
import type { AudioRecording } from './recording.ts';
import type { RecordingStore } from './recording-store.ts';

let dbCount = 0;
const implementations: Array<[string, () => RecordingStore]> = [
  ['memory', () => new MemoryRecordingStore()],
  ['indexeddb', () => new IdbRecordingStore(`duet-audio-test-${++dbCount}`)],
];

function recording(transcriptId: string, extra: Partial<AudioRecording> = {}): AudioRecording {
  return {
    transcriptId,
    blob: new Blob([new Uint8Array([1, 2, 3, 4])], { type: 'audio/webm' }),
    mimeType: 'audio/webm',
    durationMs: 2_000,
    uploadUrl: null,
    uploadedBytes: 0,
    state: 'pending',
    ...extra,
  };
}

describe.each(implementations)('RecordingStore (%s)', (_, create) => {
  let store: RecordingStore;
  afterEach(() => store.close());

  it('keeps a recording with its blob and reads it back', async () => {
    store = create();
    await store.put(recording('t1'));
    const read = await store.get('t1');
    expect(read?.durationMs).toBe(2_000);
    expect(read?.blob.size).toBe(4);
    expect(read?.blob.type).toBe('audio/webm');
    expect(await store.get('t2')).toBeNull();
  });

  it('patches fields and clears an error with null', async () => {
    store = create();
    await store.put(recording('t1', { state: 'failed', error: 'rejected' }));
    const patched = await store.patch('t1', { state: 'uploading', uploadUrl: 'http://x/api/uploads/u1', uploadedBytes: 2, error: null });
    expect(patched).toMatchObject({ state: 'uploading', uploadUrl: 'http://x/api/uploads/u1', uploadedBytes: 2 });
    expect(patched?.error).toBeUndefined();
    expect((await store.get('t1'))?.uploadedBytes).toBe(2);
    expect(await store.patch('missing', { state: 'uploaded' })).toBeNull();
  });

  it('lists and deletes', async () => {
    store = create();
    await store.put(recording('b'));
    await store.put(recording('a'));
    expect((await store.all()).map((r) => r.transcriptId).sort()).toEqual(['a', 'b']);
    await store.delete('a');
    expect((await store.all()).map((r) => r.transcriptId)).toEqual(['b']);
  });
});
