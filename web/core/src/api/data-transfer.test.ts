import { describe, expect, it } from 'vitest';
import { ApiClient } from './client.ts';

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe('dataTransfer over HTTP', () => {
  it('downloads the export with the token, reporting the bytes as they arrive, under the server’s file name', async () => {
    const seen: Array<{ url: string; auth: string | null }> = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      seen.push({ url: input instanceof Request ? input.url : input.toString(), auth: new Headers(init?.headers).get('Authorization') });
      return new Response(streamOf([new Uint8Array(3), new Uint8Array(5)]), {
        status: 200,
        headers: { 'Content-Length': '8', 'Content-Disposition': 'attachment; filename="duet-export-2026-12-02.zip"' },
      });
    };
    const progress: Array<[number, number | null]> = [];
    const result = await new ApiClient({ baseUrl: 'http://duet.test', fetch }).exportData('tok', (p) =>
      progress.push([p.received, p.total]),
    );
    expect(seen).toEqual([{ url: 'http://duet.test/api/account/export', auth: 'Bearer tok' }]);
    expect(progress).toEqual([
      [0, 8],
      [3, 8],
      [8, 8],
    ]);
    expect(result.filename).toBe('duet-export-2026-12-02.zip');
    expect(result.blob.size).toBe(8);
  });

  it('refuses a download cut short, and turns an error body into ApiError', async () => {
    const cut: typeof globalThis.fetch = async () => new Response(streamOf([new Uint8Array(3)]), { headers: { 'Content-Length': '8' } });
    await expect(new ApiClient({ fetch: cut }).exportData('tok', () => {})).rejects.toMatchObject({ code: 'network', status: 0 });
    const refused: typeof globalThis.fetch = async () =>
      new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'no' } }), { status: 401 });
    await expect(new ApiClient({ fetch: refused }).exportData('tok', () => {})).rejects.toMatchObject({
      code: 'unauthorized',
      status: 401,
    });
  });
});

/** An XMLHttpRequest stand-in: records what is sent, and lets the test play the upload and the answer. */
class FakeXhr {
  static last: FakeXhr | null = null;
  readonly headers: Record<string, string> = {};
  readonly upload: { onprogress: ((e: ProgressEvent) => void) | null; onload: (() => void) | null } = { onprogress: null, onload: null };
  method = '';
  url = '';
  body: unknown = null;
  status = 0;
  statusText = '';
  responseText = '';
  responseType = '';
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;

  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
  }
  answer(status: number, body: unknown) {
    this.upload.onprogress?.({ loaded: 4, total: 4, lengthComputable: true } as ProgressEvent);
    this.upload.onload?.();
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

describe('import over XMLHttpRequest', () => {
  const client = () => new ApiClient({ baseUrl: 'http://duet.test', xhr: () => new FakeXhr() as unknown as XMLHttpRequest });

  it('posts the zip with the token, reports the upload, then importing, and returns the counts', async () => {
    const file = new Blob([new Uint8Array(4)], { type: 'application/zip' });
    const phases: string[] = [];
    const done = client().importData('tok', file, (p) => phases.push(p.phase === 'uploading' ? `uploading ${p.sent}/${p.total}` : p.phase));
    const xhr = FakeXhr.last as FakeXhr;
    expect([xhr.method, xhr.url, xhr.headers.Authorization, xhr.headers['Content-Type'], xhr.body]).toEqual([
      'POST',
      'http://duet.test/api/account/import',
      'Bearer tok',
      'application/zip',
      file,
    ]);
    const imported = { conversations: 1, messages: 2, sessions: 0, transcripts: 0, readMarks: 0, audio: 0 };
    xhr.answer(200, { imported });
    await expect(done).resolves.toEqual({ imported });
    expect(phases).toEqual(['uploading 4/4', 'importing']);
  });

  it('turns a refusal into ApiError with the protocol’s code', async () => {
    const done = client().importData('tok', new Blob(['x']), () => {});
    (FakeXhr.last as FakeXhr).answer(409, { error: { code: 'import_target_not_empty', message: 'not new' } });
    await expect(done).rejects.toMatchObject({ code: 'import_target_not_empty', status: 409 });
  });
});
