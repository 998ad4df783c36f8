/**
 * The data layer's facade: everything the UI imports. Create one client at start-up, give it to
 * <DuetProvider>, and read through the hooks; write through `client.mutate`.
 */
export { assembleDuetClient, createDuetClient } from './client.ts';
export type { DuetClientParts } from './client.ts';
export { createSessionTracker } from './session-tracker.ts';
export type { SessionTrackerDeps } from './session-tracker.ts';
export type {
  AuthState,
  ConversationView,
  DuetAuth,
  DuetClient,
  DuetClientOptions,
  LocalReads,
  MeView,
  MessageView,
  PartnerPresenceView,
  SessionTracker,
  StorageEstimateView,
  TranscriptView,
} from './types.ts';
export {
  DuetProvider,
  useAuth,
  useConflicts,
  useConversation,
  useConversations,
  useDuetClient,
  useMe,
  useMessages,
  usePartnerPresence,
  useRealtimeStatus,
  useSessions,
  useSyncStatus,
  useTranscript,
  useTranscripts,
  useSpaces,
} from './hooks.ts';
export { ApiError, DuetError, ClientErrorCode, errorCode, isApiError } from '../api/errors.ts';
export { SyncEngine } from '../sync/engine.ts';
export type { RealtimeClient, RealtimeSnapshot, RealtimeStatus } from '../sync/realtime.ts';
export type { PullProgress, RejectedMutation, SyncErrorCode, SyncStatus, UnsendableChange } from '../sync/status.ts';
