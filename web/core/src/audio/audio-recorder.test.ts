import { describe, expect, it } from 'vitest';
import { AudioRecorder, RecorderError, recorderErrorCode } from './audio-recorder.ts';
import type { RecorderPlatform } from './audio-recorder.ts';

/** A MediaRecorder double: hands over one chunk and fires 'stop' when stopped. */
class FakeMediaRecorder extends EventTarget {
  state: 'inactive' | 'recording' = 'inactive';
  constructor(readonly mimeType: string) {
    super();
  }
  start(): void {
    this.state = 'recording';
  }
  stop(): void {
    this.state = 'inactive';
    const data = new Event('dataavailable') as Event & { data: Blob };
    Object.assign(data, { data: new Blob([new Uint8Array(64)], { type: this.mimeType }) });
    this.dispatchEvent(data);
    this.dispatchEvent(new Event('stop'));
  }
}

function platform(options: { fail?: string } = {}) {
  const stopped: string[] = [];
  const stream = { getTracks: () => [{ stop: () => stopped.push('track') }] } as unknown as MediaStream;
  const media: RecorderPlatform = {
    getUserMedia: async () => {
      if (options.fail) throw Object.assign(new Error(options.fail), { name: options.fail });
      return stream;
    },
    createRecorder: (_stream, mimeType) => new FakeMediaRecorder(mimeType ?? 'audio/webm') as unknown as MediaRecorder,
    isTypeSupported: (type) => type === 'audio/webm',
  };
  return { media, stopped };
}

describe('AudioRecorder', () => {
  it('records with the first supported type and measures the duration with the clock', async () => {
    let now = 1_000;
    const { media, stopped } = platform();
    const recorder = new AudioRecorder(media, { now: () => now });
    await recorder.start();
    now += 2_300;
    expect(recorder.elapsedMs()).toBe(2_300);
    const audio = await recorder.stop();
    expect(audio).toMatchObject({ mimeType: 'audio/webm', durationMs: 2_300 });
    expect(audio.blob.size).toBe(64);
    expect(stopped).toEqual(['track']);
    expect(recorder.recording).toBe(false);
  });

  it.each([
    ['NotAllowedError', 'permission_denied'],
    ['NotFoundError', 'no_microphone'],
    ['NotReadableError', 'microphone_busy'],
    ['TypeError', 'recording_failed'],
  ])('turns %s into %s', async (name, code) => {
    const recorder = new AudioRecorder(platform({ fail: name }).media);
    await expect(recorder.start()).rejects.toMatchObject({ code });
    expect(recorderErrorCode({ name })).toBe(code);
  });

  it('says unsupported where the browser cannot record', async () => {
    await expect(new AudioRecorder(null).start()).rejects.toEqual(new RecorderError('unsupported'));
  });
});
