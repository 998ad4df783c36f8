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
