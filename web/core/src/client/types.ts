/** The shapes the UI sees: the client facade, its auth, the session tracker and the read models. */
import type {
  Activity,
  BillingResponse,
  DataImportResponse,
  PasswordChangedResponse,
  ActivityKind,
  Conflict,
  Conversation,
  InviteResponse,
  LoginRequest,
  Message,
  MutationArgs,
  MutationName,
  Notification,
  Session,
  SignupRequest,
  Space,
  StatsResponse,
  Transcript,
  User,
} from '@duet/shared';
import type { DownloadProgress, ExportDownload, ImportProgress } from '../api/data-transfer.ts';
import type { AudioRuntime } from '../audio/audio-runtime.ts';
import type { ConversationActivity } from './conversation-activity.ts';
import type { SyncEngine } from '../sync/engine.ts';
import type { RealtimeClient } from '../sync/realtime.ts';

/** Who is signed in on this device. */
export interface AuthState {
  token: string;
  deviceId: string;
  user: User;
}

export interface DuetAuth {
  /** Needs the network: throws ApiError code 'offline' when offline, or the server's code (email_taken, ...). */
  signup(body: SignupRequest): Promise<AuthState>;
  /** Needs the network; a different user than the one whose data is on the device clears that data first. */
  login(body: LoginRequest): Promise<AuthState>;
  /** Revokes the token (best effort when offline) and forgets it; local data and the outbox stay. */
  logout(): Promise<void>;
  /** The signed-in state, null when signed out or before `client.ready` resolved. */
  current(): AuthState | null;
  subscribe(listener: () => void): () => void;
}

export interface SessionTracker {
  /** Starts a session unless one is open (the first activity of a visit does this itself). */
  start(): Promise<void>;
  /** Records an activity in the open session, starting one if needed. */
  recordActivity(kind: ActivityKind): Promise<void>;
  /** Ends the open session now (sign-out); otherwise it ends 30 min after the app was last in use. */
  end(): Promise<void>;
  /** Continues a visit left open by the previous page and follows visibility; returns detach. */
  attach(): () => void;
  current(): { id: string; startedAt: number } | null;
}

export interface ConversationView extends Conversation, ConversationActivity {
  /** Outbox mutations touching this conversation or its messages and transcripts. */
  pendingChanges: number;
}

export interface MessageView extends Message {
  /** A local change to it has not been confirmed by the server yet. */
  pending: boolean;
}

export interface TranscriptView extends Transcript {
  pending: boolean;
}

export interface MeView {
  user: User;
  spaces: Space[];
  personalSpaceId: string | null;
  sharedSpaceId: string | null;
}

/** A partner as the real-time socket last described them. */
export interface PartnerPresenceView {
  userId: string;
  online: boolean;
  /** Typing in the conversation the hook was asked about. */
  typing: boolean;
  /** What an online partner is doing, when they share it. */
  activity: Activity | null;
  /** When an offline partner was last seen (server ms), when known. */
  lastSeen: number | null;
  /** When we heard it (this device's clock). */
  since: number;
}

export interface StorageEstimateView {
  usage: number;
  quota: number;
}

/** Reads of the local store (no network); the hooks are built on these. */
export interface LocalReads {
  spaces(): Promise<Space[]>;
  conversations(filter?: { archived?: boolean; spaceId?: string }): Promise<ConversationView[]>;
  conversation(id: string): Promise<ConversationView | null>;
  /**
   * In order; with `last`, only the newest that many (a long conversation's first screen); with
   * `after`, only those after that (createdAt, id) in this order.
   */
  messages(conversationId: string, options?: { last?: number; after?: readonly [createdAt: number, id: string] }): Promise<MessageView[]>;
  /** One message, a deleted one (a tombstone) included; null when this device does not have it. */
  message(id: string): Promise<MessageView | null>;
  transcripts(filter?: { conversationId?: string }): Promise<TranscriptView[]>;
  transcript(id: string): Promise<TranscriptView | null>;
  sessions(): Promise<Session[]>;
  conflicts(): Promise<Conflict[]>;
  /** The person's notifications (partner events), newest first. */
  notifications(): Promise<Notification[]>;
  me(): Promise<MeView | null>;
}

/** What `transcripts.create` takes: the form's fields and the recording, if any. */
export interface NewTranscript {
  spaceId: string;
  text: string;
  language: string;
  conversationId?: string;
  audio?: { blob: Blob; mimeType: string; durationMs: number } | null;
  /** Send it for processing at once (otherwise it stays a draft). */
  submit: boolean;
}

export interface TranscriptWorkflows {
  /**
   * Keeps the recording on this device (it uploads when it can), creates the transcript and, when
   * asked, submits it. Throws what `mutate` throws; a recording whose transcript was refused is
   * not kept.
   */
  create(input: NewTranscript): Promise<{ id: string }>;
}

export interface DuetClient {
  /** Resolves once the local store is open and the saved sign-in state is loaded. */
  readonly ready: Promise<void>;
  readonly auth: DuetAuth;
  readonly engine: SyncEngine;
  /** The WebSocket: pokes for the engine and partners' presence; connected while signed in. */
  readonly realtime: RealtimeClient;
  readonly sessionTracker: SessionTracker;
  /** Recordings kept on this device and their uploads. */
  readonly audio: AudioRuntime;
  readonly transcripts: TranscriptWorkflows;
  readonly read: LocalReads;
  /**
   * A query over the local store that re-runs when a write touches a store it read (it records
   * which); `getSnapshot` is undefined until the first answer.
   */
  live<T>(query: (reads: LocalReads) => Promise<T>): LiveQuery<T>;
  /**
   * Applies a mutation locally and appends it to the outbox, in one transaction; never waits for
   * the network. Throws DuetError: 'invalid_args', 'signed_out', 'quota_exceeded', or the local
   * mutator's refusal ('not_found', 'forbidden').
   */
  mutate<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<void>;
  /** A fresh id for a new entity (time-sortable). */
  newId(): string;
  /**
   * Signs out of this device. With changes still waiting and no `force`, clears nothing and
   * returns their count so the UI can warn; otherwise clears everything of the person (local data,
   * outbox, recordings) and returns pending 0.
   */
  signOut(options?: { force?: boolean }): Promise<{ pending: number }>;
  /**
   * Deletes the account on the server (needs the network and the password), then clears this
   * device as a forced sign-out does. Throws ApiError 'offline', 'invalid_credentials' (wrong
   * password) or the server's code; on a throw nothing was deleted.
   */
  deleteAccount(password: string): Promise<void>;
  storageEstimate(): Promise<StorageEstimateView | null>;
  /** Asks the browser not to evict our data; false when refused or unsupported. */
  requestPersistentStorage(): Promise<boolean>;
  /** Dismisses a conflict notice on every device of the person (a synced `conflict.resolve`). */
  dismissConflict(id: string): Promise<void>;
  /** Marks a conflict resolved on every device of the person: `restored` after issuing their value again. */
  resolveConflict(id: string, resolution: 'restored' | 'dismissed'): Promise<void>;
  /** Clears rejected-mutation notices: one by id, or all. */
  dismissRejected(id?: number): Promise<void>;
  /** Drops the changes the server keeps failing on (`unsendable` in the sync status), then syncs. */
  discardUnsendable(): Promise<void>;
  /** Passwords (network): a reset link by email, setting a new one with it, changing it with the current one. */
  account: {
    requestPasswordReset(email: string): Promise<void>;
    /** Every session of the person ends, this device's too: log in with the new password. */
    resetPassword(token: string, password: string): Promise<PasswordChangedResponse>;
    /** Every other session of the person ends; this one stays signed in. */
    changePassword(currentPassword: string, newPassword: string): Promise<PasswordChangedResponse>;
  };
  /** The person's data as one zip, and loading such a zip into a new account (network; docs/export-import.md). */
  dataTransfer: {
    download(onProgress: (progress: DownloadProgress) => void): Promise<ExportDownload>;
    /** Then syncs, so the imported data arrives. */
    import(file: Blob, onProgress: (progress: ImportProgress) => void): Promise<DataImportResponse>;
  };
  /** The plan, this month's usage against it, and the ways to upgrade or manage it (network). */
  billing: {
    overview(): Promise<BillingResponse>;
    /** The Stripe checkout page to upgrade to Premium. */
    checkoutUrl(): Promise<string>;
    /** The Stripe customer portal to manage or cancel the subscription. */
    portalUrl(): Promise<string>;
  };
  invites: {
    create(): Promise<InviteResponse>;
    /** A new code, emailed to the partner with a link that opens the accept screen with it. */
    sendByEmail(email: string): Promise<InviteResponse>;
    /** Joins the partner's shared space and syncs it. */
    accept(code: string): Promise<Space>;
    /** Unlinks from the partner (network): the shared space leaves this device at once, the partner's at their next sync. */
    unlink(): Promise<void>;
  };
  /** GET /api/stats (network); the UI can also compute streaks offline with shared sessionStats. */
  stats(): Promise<StatsResponse>;
  /** Local data changed (this tab or another); `stores` names what changed. */
  onLocalChange(listener: (stores: readonly string[]) => void): () => void;
  /** Stops timers and listeners and closes the store. */
  close(): void;
}

/** A subscribable query result (for useSyncExternalStore). */
export interface LiveQuery<T> {
  // Properties, not methods: React calls them detached from the object.
  readonly subscribe: (listener: () => void) => () => void;
  readonly getSnapshot: () => T | undefined;
}

export interface DuetClientOptions {
  /** Origin of the API, '' (same origin) by default. */
  baseUrl?: string;
  /** IndexedDB database name, 'duet' by default. */
  dbName?: string;
  fetch?: typeof fetch;
  /** Start syncing at once (default true). */
  autoStart?: boolean;
}
