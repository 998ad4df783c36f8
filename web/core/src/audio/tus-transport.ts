/**
 * The upload transport over tus-js-client. Resumption is ours: the upload URL is kept in the
 * recording's record (the manager passes it back as `uploadUrl`), so tus's own URL storage and
 * its retries are switched off and the manager alone decides when to try again.
 *
 * tus-js-client is loaded with the first upload, not with the app (it is a sixth of the first load).
 */
import type { DetailedError, FileReader, HttpStack, PreviousUpload, UrlStorage, Upload } from 'tus-js-client';
import type { UploadAttempt, UploadHandle, UploadTransport } from './upload-transport.ts';

/** Remembers nothing: the recording's record holds the upload URL instead. */
const noUrlStorage: UrlStorage = {
  findAllUploads: async (): Promise<PreviousUpload[]> => [],
  findUploadsByFingerprint: async (): Promise<PreviousUpload[]> => [],
  removeUpload: async () => undefined,
  addUpload: async () => '',
};

export interface TusTransportOptions {
  /** tus-js-client's platform parts; the browser's by default (tests pass fakes). */
  httpStack?: HttpStack;
  fileReader?: FileReader;
}

function statusOf(error: Error | DetailedError): number | null {
  const response = 'originalResponse' in error ? error.originalResponse : null;
  return response ? response.getStatus() : null;
}

/** The `code` of the protocol error body the server answered with, if any. */
function codeOf(error: Error | DetailedError): string | null {
  const response = 'originalResponse' in error ? error.originalResponse : null;
  try {
    const body = JSON.parse(response?.getBody() ?? '') as { error?: { code?: unknown } } | null;
    return typeof body?.error?.code === 'string' ? body.error.code : null;
  } catch {
    return null;
  }
}

export function tusTransport(options: TusTransportOptions = {}): UploadTransport {
  return {
    start(attempt: UploadAttempt): UploadHandle {
      let settled = false;
      let aborted = false;
      let upload: Upload | undefined;
      const create = (UploadClass: typeof Upload): Upload => {
        const created: Upload = new UploadClass(attempt.blob, {
          endpoint: attempt.endpoint,
          uploadUrl: attempt.uploadUrl,
          chunkSize: attempt.chunkSize,
          metadata: { transcriptId: attempt.metadata.transcriptId, filetype: attempt.metadata.filetype },
          headers: { Authorization: `Bearer ${attempt.token}` },
          retryDelays: null,
          storeFingerprintForResuming: false,
          removeFingerprintOnSuccess: false,
          urlStorage: noUrlStorage,
          fingerprint: async () => `duet-audio:${attempt.metadata.transcriptId}`,
          ...(options.httpStack ? { httpStack: options.httpStack } : {}),
          ...(options.fileReader ? { fileReader: options.fileReader } : {}),
          onUploadUrlAvailable: () => {
            if (created.url) attempt.onUploadUrl(created.url);
          },
          onProgress: (sent, total) => attempt.onProgress(sent, total),
          onChunkComplete: (_chunk, accepted, total) => attempt.onChunkComplete(accepted, total),
          onSuccess: () => {
            settled = true;
            attempt.onSuccess();
          },
          onError: (error) => {
            settled = true;
            const code = codeOf(error);
            attempt.onError({ status: statusOf(error), message: error.message, ...(code ? { code } : {}) });
          },
        });
        return created;
      };
      const started = import('tus-js-client').then(({ Upload }) => {
        if (aborted) return;
        upload = create(Upload);
        upload.start();
      });
      started.catch((error: unknown) => {
        settled = true;
        // The module could not be loaded (offline before it was ever cached): a network failure.
        attempt.onError({ status: null, message: error instanceof Error ? error.message : String(error) });
      });
      return {
        async abort() {
          aborted = true;
          await started.catch(() => undefined);
          if (!settled && upload) await upload.abort(false);
        },
      };
    },
  };
}
