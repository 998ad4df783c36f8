/**
 * @duet/client: everything the device does, without React. Create one client at start-up
 * (`createDuetClient` in the browser, `assembleDuetClient` with every part for Node and tests),
 * read through `client.read` or live queries, write through `client.mutate` and the workflows.
 */
export { assembleDuetClient } from './client/client.ts';
export type { DuetClientParts, StorageManagerLike } from './client/client.ts';
export { createDuetClient } from './client/browser-client.ts';
export { createSessionTracker } from './client/session-tracker.ts';
export type { SessionTrackerDeps } from './client/session-tracker.ts';
export type {
  AuthState,
  ConversationView,
  DuetAuth,
  DuetClient,
  DuetClientOptions,
  LiveQuery,
  LocalReads,
  MeView,
  MessageView,
  NewTranscript,
  PartnerPresenceView,
  SessionTracker,
  StorageEstimateView,
  TranscriptView,
  TranscriptWorkflows,
} from './client/types.ts';
export { ApiClient } from './api/client.ts';
export type { DownloadProgress, ExportDownload, ImportProgress } from './api/data-transfer.ts';
export { ApiError, DuetError, ClientErrorCode, errorCode, isApiError } from './api/errors.ts';
export { SyncEngine } from './sync/engine.ts';
export type { LocalChangeListener, SyncEngineOptions } from './sync/engine.ts';
export { MemoryStorage } from './sync/memory-storage.ts';
export type { SyncStorage, StorageTx } from './sync/storage.ts';
export { localBus, manualSignal, processLock, systemClock, systemTimers } from './sync/platform.ts';
export type { ChangeBus, Clock, Signal, SyncLock, Timers } from './sync/platform.ts';
export { getLocalEntity } from './sync/local-tx.ts';
export type { SyncTransport } from './sync/transport.ts';
export type { LiveJob, RealtimeClient, RealtimeSnapshot, RealtimeStatus } from './sync/realtime.ts';
export type { Activity } from './sync/realtime-frames.ts';
export type { PullProgress, RejectedMutation, SyncErrorCode, SyncStatus, UnsendableChange } from './sync/status.ts';
export type { AudioRuntime } from './audio/audio-runtime.ts';
export type { ConversationActivity, LastMessageView } from './client/conversation-activity.ts';
export { UNREAD_SCAN } from './client/conversation-activity.ts';
export { readSyncHealth } from './client/sync-health.ts';
export { LocalSearch, normalizeTerm } from './search/local-search.ts';
export type { LocalSearchDeps, SearchHit, SearchHitKind } from './search/local-search.ts';
export type { PendingKind, SyncHealth } from './client/sync-health.ts';
export { AudioRecorder, RecorderError } from './audio/audio-recorder.ts';
export type { RecordedAudio, RecorderErrorCode } from './audio/audio-recorder.ts';
export { fetchTranscriptAudio } from './audio/fetch-audio.ts';
export { MAX_AUDIO_BYTES } from './audio/recording.ts';
export type { AudioRecording } from './audio/recording.ts';
export type { UploadView } from './audio/upload-manager.ts';
export { BACKGROUND_SYNC_TAG, onServiceWorkerSync, requestBackgroundSync } from './platform/background-sync.ts';
