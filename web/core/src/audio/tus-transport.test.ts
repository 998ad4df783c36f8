import { describe, expect, it } from 'vitest';
import { blobFileReader, FakeTusHttp } from './testing/fake-tus-http.ts';
import { tusTransport } from './tus-transport.ts';
import type { UploadAttempt } from './upload-transport.ts';

const KiB = 1024;
const ENDPOINT = 'https://duet.test/api/uploads';

interface Outcome {
  urls: string[];
  progress: number[];
  accepted: number[];
  result: Promise<{ ok: true } | { ok: false; status: number | null; code?: string }>;
}

function attempt(http: FakeTusHttp, blob: Blob, uploadUrl: string | null = null): Outcome {
  const urls: string[] = [];
  const progress: number[] = [];
  const accepted: number[] = [];
  const result = new Promise<{ ok: true } | { ok: false; status: number | null; code?: string }>((resolve) => {
    const job: UploadAttempt = {
      blob,
      endpoint: ENDPOINT,
      uploadUrl,
      token: 'device-token',
      metadata: { transcriptId: 't1', filetype: 'audio/webm;codecs=opus' },
      chunkSize: 256 * KiB,
      onUploadUrl: (url) => urls.push(url),
      onProgress: (sent) => progress.push(sent),
      onChunkComplete: (bytes) => accepted.push(bytes),
      onSuccess: () => resolve({ ok: true }),
      onError: ({ status, code }) => resolve({ ok: false, status, ...(code ? { code } : {}) }),
    };
    tusTransport({ httpStack: http, fileReader: blobFileReader }).start(job);
  });
  return { urls, progress, accepted, result };
}

const audio = (bytes: number) => new Blob([new Uint8Array(bytes)], { type: 'audio/webm' });
const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('tusTransport (tus-js-client against a fake tus server)', () => {
  it("reports the status and the protocol error code of the server's refusal", async () => {
    const http = new FakeTusHttp();
    http.refuseCreation = { status: 413, code: 'audio_quota_exceeded' };
    expect(await attempt(http, audio(10 * KiB)).result).toEqual({ ok: false, status: 413, code: 'audio_quota_exceeded' });
  });

  it('creates the upload with the metadata and the bearer token, then sends 256 KiB chunks', async () => {
    const http = new FakeTusHttp();
    const run = attempt(http, audio(600 * KiB));
    expect(await run.result).toEqual({ ok: true });

    expect(http.requests.map((r) => [r.method, r.bodyBytes])).toEqual([
      ['POST', 0],
      ['PATCH', 256 * KiB],
      ['PATCH', 256 * KiB],
      ['PATCH', 88 * KiB],
    ]);
    for (const r of http.requests) expect(r.headers.Authorization).toBe('Bearer device-token');
    const create = http.requests[0];
    expect(create?.headers['Upload-Length']).toBe(String(600 * KiB));
    expect(create?.headers['Upload-Metadata']).toBe(`transcriptId ${base64('t1')},filetype ${base64('audio/webm;codecs=opus')}`);
    expect(run.urls).toEqual(['https://duet.test/api/uploads/up1']);
    expect(run.accepted).toEqual([256 * KiB, 512 * KiB, 600 * KiB]);
    expect(run.progress.at(-1)).toBe(600 * KiB);
  });

  it('reports a dropped connection without retrying, then resumes the stored URL from its offset', async () => {
    const http = new FakeTusHttp();
    const blob = audio(700 * KiB);
    const first = attempt(http, blob);
    // Let the first chunk through, then cut the network.
    await new Promise<void>((resolve) => {
      const check = () => (first.accepted.length > 0 ? resolve() : setImmediate(check));
      check();
    });
    http.failPatches = 1;
    expect(await first.result).toEqual({ ok: false, status: null });

    const second = attempt(http, blob, first.urls[0] ?? null);
    expect(await second.result).toEqual({ ok: true });
    const afterResume = http.requests.slice(http.requests.findIndex((r) => r.method === 'HEAD'));
    expect(afterResume.map((r) => [r.method, r.headers['Upload-Offset'] ?? null, r.bodyBytes])).toEqual([
      ['HEAD', null, 0],
      ['PATCH', String(256 * KiB), 256 * KiB],
      ['PATCH', String(512 * KiB), 188 * KiB],
    ]);
    expect(http.uploads.get('up1')?.offset).toBe(700 * KiB);
  });

  it('starts a new upload when the stored one is gone', async () => {
    const http = new FakeTusHttp();
    const run = attempt(http, audio(10 * KiB), 'https://duet.test/api/uploads/expired');
    expect(await run.result).toEqual({ ok: true });
    expect(http.requests.map((r) => r.method)).toEqual(['HEAD', 'POST', 'PATCH']);
    expect(run.urls).toEqual(['https://duet.test/api/uploads/up1']);
  });
});
