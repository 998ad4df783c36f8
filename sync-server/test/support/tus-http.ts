/**
 * The tus 1.0.0 protocol spoken over raw node:http, for tests that need full control of the bytes
 * on the wire (cutting a PATCH mid-body, malformed or hostile requests). One socket per request.
 */
import http from 'node:http';
import type { HasUrl } from './api.ts';

export const TUS_VERSION = '1.0.0';
const REQUEST_TIMEOUT_MS = 15_000;

export interface TusResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TusRequest {
  method: 'POST' | 'PATCH' | 'HEAD' | 'DELETE' | 'OPTIONS' | 'GET';
  path: string;
  token?: string | null;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** Encodes tus Upload-Metadata: `key base64(value)` pairs separated by commas. */
export function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
}

function headersOf(request: TusRequest): Record<string, string> {
  const headers: Record<string, string> = { 'Tus-Resumable': TUS_VERSION, Connection: 'close', ...request.headers };
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  if (request.body) headers['Content-Length'] = String(request.body.length);
  return headers;
}

/** Sends one request and reads the whole answer (bounded in time). */
export function tusRequest(server: HasUrl, request: TusRequest): Promise<TusResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(request.path, server.url), { method: request.method, headers: headersOf(request), agent: false });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${request.method} ${request.path} timed out`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

/** The upload id at the end of a Location header (`/api/uploads/<id>`, relative or absolute). */
export function uploadIdOf(location: string): string {
  const id = new URL(location, 'http://127.0.0.1').pathname.split('/').pop();
  if (!id) throw new Error(`no upload id in Location ${location}`);
  return id;
}

export interface CreatedUpload {
  response: TusResponse;
  /** Path of the upload (from Location), when created. */
  path: string | null;
  uploadId: string | null;
}

/** POST /api/uploads: creates an upload of `length` bytes (or of deferred length). */
export async function createUpload(
  server: HasUrl,
  token: string | null,
  options: { length: number | 'deferred'; metadata: Record<string, string> },
): Promise<CreatedUpload> {
  const headers: Record<string, string> = { 'Upload-Metadata': encodeMetadata(options.metadata) };
  if (options.length === 'deferred') headers['Upload-Defer-Length'] = '1';
  else headers['Upload-Length'] = String(options.length);
  const response = await tusRequest(server, { method: 'POST', path: '/api/uploads', token, headers });
  const location = response.headers.location;
  if (response.status !== 201 || typeof location !== 'string') return { response, path: null, uploadId: null };
  const uploadId = uploadIdOf(location);
  return { response, path: `/api/uploads/${uploadId}`, uploadId };
}

export function patchUpload(
  server: HasUrl,
  token: string | null,
  path: string,
  offset: number,
  bytes: Buffer,
  extraHeaders: Record<string, string> = {},
): Promise<TusResponse> {
  return tusRequest(server, {
    method: 'PATCH',
    path,
    token,
    headers: { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset), ...extraHeaders },
    body: bytes,
  });
}

export function headUpload(server: HasUrl, token: string | null, path: string): Promise<TusResponse> {
  return tusRequest(server, { method: 'HEAD', path, token });
}

/**
 * Starts a PATCH that announces all of `bytes` but sends only the first `sendBytes`, waits until
 * they have left this process (plus `settleMs` for the server to read them), then destroys the
 * socket: a connection lost mid-upload. Resolves once the socket is closed.
 */
export function patchCutMidway(
  server: HasUrl,
  token: string,
  path: string,
  offset: number,
  bytes: Buffer,
  sendBytes: number,
  settleMs = 300,
): Promise<{ answeredBeforeCut: number | null }> {
  return new Promise((resolve, reject) => {
    let answeredBeforeCut: number | null = null;
    const req = http.request(new URL(path, server.url), {
      method: 'PATCH',
      agent: false,
      headers: {
        'Tus-Resumable': TUS_VERSION,
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': String(offset),
        'Content-Length': String(bytes.length),
      },
    });
    const guard = setTimeout(() => {
      req.destroy();
      reject(new Error('the interrupted PATCH did not close within 15 s'));
    }, REQUEST_TIMEOUT_MS);
    req.on('response', (res) => {
      answeredBeforeCut = res.statusCode ?? null;
      res.resume();
    });
    // The error of the destroyed socket is the expected outcome here.
    req.on('error', () => {});
    req.on('close', () => {
      clearTimeout(guard);
      resolve({ answeredBeforeCut });
    });
    req.write(bytes.subarray(0, sendBytes), () => {
      setTimeout(() => req.destroy(), settleMs);
    });
  });
}

export interface OpenPatch {
  /** Sends more of the body; resolves once the bytes have left this process. */
  send(bytes: Buffer): Promise<void>;
  /** The answer, whenever the server gives it (before the body is complete, say). */
  answer: Promise<TusResponse>;
  /** Ends the request (and its socket). */
  destroy(): void;
}

/**
 * Starts a PATCH announcing `length` bytes and sends its body only as the test says, so a test
 * can hold an upload's request open while another one comes in.
 */
export function openPatch(server: HasUrl, token: string, path: string, offset: number, length: number): OpenPatch {
  const req = http.request(new URL(path, server.url), {
    method: 'PATCH',
    agent: false,
    headers: {
      'Tus-Resumable': TUS_VERSION,
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Offset': String(offset),
      'Content-Length': String(length),
    },
  });
  const answer = new Promise<TusResponse>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  // A test that destroys the request does not wait for its answer.
  answer.catch(() => {});
  return {
    send: (bytes) => new Promise((resolve, reject) => req.write(bytes, (error) => (error ? reject(error) : resolve()))),
    answer,
    destroy: () => req.destroy(),
  };
}
