/**
 * An UploadTransport that plays a tus server in memory: it creates uploads (403 for a transcript
 * it does not know, 413 over its size limit), takes chunks asynchronously, resumes a known upload
 * URL from its offset, and can drop the connection or stall after a number of chunks.
 */
import type { UploadAttempt, UploadHandle, UploadTransport } from '../upload-transport.ts';

interface FakeUpload {
  transcriptId: string;
  filetype: string;
  size: number;
  offset: number;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeTusServer implements UploadTransport {
  readonly uploads = new Map<string, FakeUpload>();
  readonly attempts: Array<{
    uploadUrl: string | null;
    token: string;
    metadata: UploadAttempt['metadata'];
    chunkSize: number;
    startOffset: number;
  }> = [];
  /** Sizes of the chunks received, in order. */
  readonly chunks: number[] = [];
  /** Transcripts that exist on the server; an upload for another is refused with 403. */
  readonly transcripts = new Set<string>();
  maxBytes = Number.POSITIVE_INFINITY;
  /** Audio the user may still store; a larger new upload is refused with 413 audio_quota_exceeded. */
  quotaLeft = Number.POSITIVE_INFINITY;
  /** The plan's audio minutes for the month are used up: creations answer 402 plan_limit_reached. */
  planLimitReached = false;
  /** Upload URLs the server let expire: resuming one is answered 410. */
  readonly expired = new Set<string>();
  /** The next attempt loses its connection after this many chunks. */
  dropAfterChunks: number | null = null;
  /** The next attempt waits after this many chunks until `release()`. */
  stallAfterChunks: number | null = null;
  #release: (() => void) | null = null;
  #count = 0;

  get bytesReceived(): number {
    return this.chunks.reduce((sum, n) => sum + n, 0);
  }

  release(): void {
    this.#release?.();
    this.#release = null;
  }

  start(attempt: UploadAttempt): UploadHandle {
    let aborted = false;
    void this.#run(attempt, () => aborted);
    return {
      abort: async () => {
        aborted = true;
        this.release();
      },
    };
  }

  async #run(attempt: UploadAttempt, aborted: () => boolean): Promise<void> {
    await tick();
    if (aborted()) return;
    let url = attempt.uploadUrl;
    if (url !== null && this.expired.has(url)) {
      this.attempts.push({
        uploadUrl: url,
        token: attempt.token,
        metadata: attempt.metadata,
        chunkSize: attempt.chunkSize,
        startOffset: 0,
      });
      return attempt.onError({ status: 410, message: 'expired', code: 'upload_expired' });
    }
    let upload = url === null ? undefined : this.uploads.get(url);
    this.attempts.push({
      uploadUrl: url,
      token: attempt.token,
      metadata: attempt.metadata,
      chunkSize: attempt.chunkSize,
      startOffset: upload?.offset ?? 0,
    });
    if (!upload) {
      // tus-js-client creates a new upload when the stored one is gone (HEAD answered 404).
      if (!this.transcripts.has(attempt.metadata.transcriptId)) return attempt.onError({ status: 403, message: 'forbidden' });
      if (attempt.blob.size > this.maxBytes) return attempt.onError({ status: 413, message: 'too large' });
      if (attempt.blob.size > this.quotaLeft) return attempt.onError({ status: 413, message: 'over quota', code: 'audio_quota_exceeded' });
      if (this.planLimitReached) return attempt.onError({ status: 402, message: 'plan limit', code: 'plan_limit_reached' });
      url = `https://duet.test/api/uploads/u${++this.#count}`;
      upload = { transcriptId: attempt.metadata.transcriptId, filetype: attempt.metadata.filetype, size: attempt.blob.size, offset: 0 };
      this.uploads.set(url, upload);
      attempt.onUploadUrl(url);
    }
    const drop = this.dropAfterChunks;
    const stall = this.stallAfterChunks;
    this.dropAfterChunks = null;
    this.stallAfterChunks = null;
    for (let sent = 0; upload.offset < upload.size; sent++) {
      if (sent === stall) await new Promise<void>((resolve) => (this.#release = resolve));
      await tick();
      if (aborted()) return;
      if (sent === drop) return attempt.onError({ status: null, message: 'network' });
      const end = Math.min(upload.size, upload.offset + attempt.chunkSize);
      attempt.onProgress(end, upload.size);
      this.chunks.push(end - upload.offset);
      upload.offset = end;
      attempt.onChunkComplete(end, upload.size);
    }
    attempt.onSuccess();
  }
}
