/**
 * A tus-js-client HttpStack answering like a tus 1.0 server in memory (POST creates, HEAD reports
 * the offset, PATCH appends), recording every request; plus a FileReader for Blobs, which
 * tus-js-client's Node build does not read. For testing tus-transport.ts with the real client.
 */
import type { FileReader, FileSource, HttpRequest, HttpResponse, HttpStack, SliceResult } from 'tus-js-client';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

interface StoredUpload {
  length: number;
  offset: number;
  metadata: string;
}

function response(status: number, headers: Record<string, string> = {}, body = ''): HttpResponse {
  return {
    getStatus: () => status,
    getHeader: (name) => Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
    getBody: () => body,
    getUnderlyingObject: () => null,
  };
}

export class FakeTusHttp implements HttpStack {
  readonly requests: RecordedRequest[] = [];
  readonly uploads = new Map<string, StoredUpload>();
  /** Answers the next PATCH requests with a network failure (no response) while > 0. */
  failPatches = 0;
  /** Refuses the next creation with this status and protocol error code, when set. */
  refuseCreation: { status: number; code: string } | null = null;
  #next = 0;

  getName(): string {
    return 'fake-tus-http';
  }

  createRequest(method: string, url: string): HttpRequest {
    const headers: Record<string, string> = {};
    let onProgress: (bytes: number) => void = () => undefined;
    return {
      getMethod: () => method,
      getURL: () => url,
      setHeader: (name, value) => void (headers[name] = value),
      getHeader: (name) => headers[name],
      setProgressHandler: (handler) => void (onProgress = handler),
      send: async (body: unknown) => {
        const bodyBytes = body instanceof Blob ? body.size : 0;
        this.requests.push({ method, url, headers: { ...headers }, bodyBytes });
        await new Promise<void>((resolve) => setImmediate(resolve));
        return this.#answer(method, url, headers, bodyBytes, onProgress);
      },
      abort: async () => undefined,
      getUnderlyingObject: () => null,
    };
  }

  #answer(method: string, url: string, headers: Record<string, string>, bodyBytes: number, onProgress: (n: number) => void): HttpResponse {
    const tus = { 'Tus-Resumable': '1.0.0' };
    if (method === 'POST' && this.refuseCreation) {
      const { status, code } = this.refuseCreation;
      this.refuseCreation = null;
      return response(status, { ...tus, 'Content-Type': 'application/json' }, JSON.stringify({ error: { code, message: 'refused' } }));
    }
    if (method === 'POST') {
      const id = `up${++this.#next}`;
      this.uploads.set(id, { length: Number(headers['Upload-Length']), offset: 0, metadata: headers['Upload-Metadata'] ?? '' });
      // A relative Location, as the server's relativeLocation option sends.
      return response(201, { ...tus, Location: `/api/uploads/${id}` });
    }
    const upload = this.uploads.get(url.split('/').at(-1) ?? '');
    if (!upload) return response(404, tus);
    if (method === 'HEAD') return response(200, { ...tus, 'Upload-Offset': String(upload.offset), 'Upload-Length': String(upload.length) });
    if (method === 'PATCH') {
      if (this.failPatches > 0) {
        this.failPatches -= 1;
        throw new Error('network down');
      }
      if (Number(headers['Upload-Offset']) !== upload.offset) return response(409, tus);
      onProgress(bodyBytes);
      upload.offset += bodyBytes;
      return response(204, { ...tus, 'Upload-Offset': String(upload.offset) });
    }
    return response(405, tus);
  }
}

/** Reads a Blob in slices (what the browser build of tus-js-client does). */
export const blobFileReader: FileReader = {
  async openFile(input: unknown): Promise<FileSource> {
    if (!(input instanceof Blob)) throw new Error('expected a Blob');
    return {
      size: input.size,
      slice: async (start: number, end: number): Promise<SliceResult> => ({ value: input.slice(start, end), done: end >= input.size }),
      close: () => undefined,
    };
  },
};
