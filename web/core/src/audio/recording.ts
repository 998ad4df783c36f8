/**
 * A recording kept on this device with its transcript until (and after) its upload: the Blob, what
 * it is, and how far its upload got. Records read back from IndexedDB are checked with
 * `parseRecording`; one that does not fit is ignored rather than handed to the UI.
 */

export const RECORDING_STATES = ['pending', 'uploading', 'uploaded', 'failed'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

/** Why an upload failed for good (retrying will not help without a change). */
export const UPLOAD_FAILURES = ['too_large', 'rejected', 'over_quota', 'over_plan'] as const;
export type UploadFailure = (typeof UPLOAD_FAILURES)[number];

/** The server's default UPLOAD_MAX_BYTES (50 MiB); it answers 413 above it. */
export const MAX_AUDIO_BYTES = 50 * 1024 * 1024;

export interface AudioRecording {
  transcriptId: string;
  blob: Blob;
  mimeType: string;
  durationMs: number;
  /** The tus upload's URL once created, so the upload resumes after a reload. */
  uploadUrl: string | null;
  /** Bytes the server has acknowledged (at the last finished chunk). */
  uploadedBytes: number;
  state: RecordingState;
  error?: UploadFailure;
}

export type RecordingPatch = Partial<Omit<AudioRecording, 'transcriptId' | 'blob' | 'mimeType' | 'durationMs' | 'error'>> & {
  /** `null` clears a previous failure. */
  error?: UploadFailure | null;
};

const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** The record as an AudioRecording, or null when it is not one. */
export function parseRecording(value: unknown): AudioRecording | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  if (!isString(r.transcriptId) || !(r.blob instanceof Blob) || !isString(r.mimeType) || !isCount(r.durationMs)) return null;
  if (!(r.uploadUrl === null || isString(r.uploadUrl)) || !isCount(r.uploadedBytes)) return null;
  if (!RECORDING_STATES.includes(r.state as RecordingState)) return null;
  if (r.error !== undefined && !UPLOAD_FAILURES.includes(r.error as UploadFailure)) return null;
  const recording: AudioRecording = {
    transcriptId: r.transcriptId,
    blob: r.blob,
    mimeType: r.mimeType,
    durationMs: r.durationMs,
    uploadUrl: r.uploadUrl,
    uploadedBytes: r.uploadedBytes,
    state: r.state as RecordingState,
  };
  if (r.error !== undefined) recording.error = r.error as UploadFailure;
  return recording;
}

/** Applies a patch; `error: null` removes the error. */
export function patchRecording(recording: AudioRecording, patch: RecordingPatch): AudioRecording {
  const { error, ...rest } = patch;
  const next: AudioRecording = { ...recording, ...stripUndefined(rest) };
  if (error === null) delete next.error;
  else if (error !== undefined) next.error = error;
  return next;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
