/**
 * What the screens import: the React hooks over @duet/client, and the client's types and errors
 * they name. Screens hold no transactions; they call the client's workflows.
 */
export {
  DuetProvider,
  useAuth,
  useConflicts,
  useConversation,
  useConversations,
  useDuetClient,
  useMe,
  useMessage,
  useMessages,
  useNotifications,
  useActivityClaim,
  useLiveJob,
  usePartnerPresence,
  useRealtimeStatus,
  useSessions,
  useSyncStatus,
  useTranscript,
  useTranscripts,
  useSpaces,
} from './hooks.ts';
export { ApiError, DuetError, ClientErrorCode, UNREAD_SCAN, createDuetClient, errorCode, isApiError } from '@duet/client';
export type {
  Activity,
  ConversationView,
  LiveJob,
  DuetClient,
  MessageView,
  RejectedMutation,
  SyncStatus,
  TranscriptView,
  UnsendableChange,
} from '@duet/client';
