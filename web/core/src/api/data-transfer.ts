/**
 * The two calls of a person's export and import (docs/export-import.md) that plain JSON requests
 * cannot make: the export's zip is read as a stream so its bytes can be counted as they arrive,
 * and the import's zip is sent with XMLHttpRequest, the one browser API that reports upload
 * progress. Errors are the same ApiError the JSON calls throw.
 */
import { DataImportResponseSchema, ErrorBodySchema, PROTOCOL_HEADER, PROTOCOL_VERSION, type DataImportResponse } from '@duet/shared';
import { ApiError, ClientErrorCode } from './errors.ts';
import type { HttpOptions } from './http.ts';

export interface DownloadProgress {
  received: number;
  /** The zip's length, when the server announced it. */
  total: number | null;
}

export type ImportProgress = { phase: 'uploading'; sent: number; total: number } | { phase: 'importing' };

export interface ExportDownload {
  blob: Blob;
  /** The name the server suggests (Content-Disposition), else `duet-export.zip`. */
  filename: string;
}

/** What the import needs of XMLHttpRequest (a test passes its own). */
export type MakeXhr = () => XMLHttpRequest;

function errorOf(status: number, body: unknown, statusText: string): ApiError {
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError({ status, code, message, ...(details !== undefined ? { details } : {}) });
  }
  return new ApiError({ status, code: status >= 500 ? 'unavailable' : 'invalid_body', message: statusText });
}

function filenameOf(disposition: string | null): string {
  const match = /filename="([^"]+)"/.exec(disposition ?? '');
  return match?.[1] ?? 'duet-export.zip';
}

/** GET /api/account/export, reporting the bytes received as they arrive. */
export async function downloadExport(http: HttpOptions, token: string, onProgress: (p: DownloadProgress) => void): Promise<ExportDownload> {
  let response: Response;
  try {
    response = await http.fetch(`${http.baseUrl}/api/account/export`, {
      method: 'GET',
      headers: { Authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
    });
  } catch (cause) {
    throw new ApiError({ code: ClientErrorCode.network, status: 0, message: String(cause) });
  }
  if (!response.ok) throw errorOf(response.status, await response.json().catch(() => null), response.statusText);
  const length = Number(response.headers.get('Content-Length') ?? Number.NaN);
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  onProgress({ received, total });
  try {
    const reader = response.body?.getReader();
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        onProgress({ received, total });
      }
    } else {
      const whole = new Uint8Array(await response.arrayBuffer());
      chunks.push(whole);
      received = whole.byteLength;
      onProgress({ received, total });
    }
  } catch (cause) {
    throw new ApiError({ code: ClientErrorCode.network, status: 0, message: String(cause) });
  }
  // A connection cut mid-zip ends the stream early: the file would be broken.
  if (total !== null && received !== total)
    throw new ApiError({ code: ClientErrorCode.network, status: 0, message: 'the download was cut' });
  return { blob: new Blob(chunks, { type: 'application/zip' }), filename: filenameOf(response.headers.get('Content-Disposition')) };
}

/** POST /api/account/import with the zip, reporting the upload's progress, then that the server is importing. */
export function uploadImport(
  http: Pick<HttpOptions, 'baseUrl'>,
  makeXhr: MakeXhr,
  token: string,
  file: Blob,
  onProgress: (p: ImportProgress) => void,
): Promise<DataImportResponse> {
  return new Promise((resolve, reject) => {
    const xhr = makeXhr();
    xhr.open('POST', `${http.baseUrl}/api/account/import`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader(PROTOCOL_HEADER, String(PROTOCOL_VERSION));
    xhr.setRequestHeader('Content-Type', 'application/zip');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) =>
      onProgress({ phase: 'uploading', sent: event.loaded, total: event.lengthComputable ? event.total : file.size });
    xhr.upload.onload = () => onProgress({ phase: 'importing' });
    xhr.onerror = () => reject(new ApiError({ code: ClientErrorCode.network, status: 0, message: 'the upload failed' }));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText) as unknown;
      } catch {
        // Not JSON (a proxy's page): the status alone must do.
      }
      if (xhr.status < 200 || xhr.status >= 300) return reject(errorOf(xhr.status, body, xhr.statusText));
      const parsed = DataImportResponseSchema.safeParse(body);
      if (!parsed.success) return reject(new ApiError({ code: ClientErrorCode.invalidResponse, status: xhr.status }));
      resolve(parsed.data);
    };
    xhr.send(file);
  });
}
