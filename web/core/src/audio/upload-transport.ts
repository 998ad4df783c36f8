/**
 * What the upload manager needs from a resumable-upload protocol: start one attempt, hear about
 * its URL, progress and end, abort it. tus-transport.ts implements it with tus-js-client; tests
 * use a fake (testing/fake-transport.ts).
 */

export interface UploadAttempt {
  blob: Blob;
  /** The tus creation endpoint (absolute URL). */
  endpoint: string;
  /** Resume this upload (the server is asked for its offset); null creates a new one. */
  uploadUrl: string | null;
  token: string;
  metadata: { transcriptId: string; filetype: string };
  chunkSize: number;
  onUploadUrl(url: string): void;
  /** Bytes sent so far (the current chunk included, as the request reports it). */
  onProgress(bytesSent: number, bytesTotal: number): void;
  /** The server acknowledged bytes up to `bytesAccepted`. */
  onChunkComplete(bytesAccepted: number, bytesTotal: number): void;
  onSuccess(): void;
  /**
   * `status` is the HTTP status of the failed request, null when no answer arrived; `code` the
   * protocol error code of its body, when it had one.
   */
  onError(failure: { status: number | null; message: string; code?: string }): void;
}

export interface UploadHandle {
  /** Stops the attempt without deleting the upload on the server, so it can be resumed. */
  abort(): Promise<void>;
}

export interface UploadTransport {
  start(attempt: UploadAttempt): UploadHandle;
}
