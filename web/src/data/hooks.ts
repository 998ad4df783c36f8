/**
 * React bindings: thin adapters over the client (useSyncExternalStore). Each live hook is a live
 * query of the core, which re-reads when a store the query read changes, in this tab or another.
 * List hooks return `undefined` until the first read finished, then the data.
 */
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import type { Conflict, Notification, Session, Space } from '@duet/shared';
import type { Activity, AuthState, LiveJob, LiveQuery, ConversationView, DuetClient, LocalReads, MeView, MessageView, PartnerPresenceView, RealtimeSnapshot, RealtimeStatus, SyncStatus, TranscriptView } from '@duet/client';

const DuetContext = createContext<DuetClient | null>(null);

export function DuetProvider(props: { client: DuetClient; children?: ReactNode }) {
  return createElement(DuetContext.Provider, { value: props.client }, props.children);
}

export function useDuetClient(): DuetClient {
  const client = useContext(DuetContext);
  if (!client) throw new Error('useDuetClient needs a <DuetProvider>');
  return client;
}

export function useSyncStatus(): SyncStatus {
  const { engine } = useDuetClient();
  const subscribe = useCallback((onChange: () => void) => engine.subscribe(onChange), [engine]);
  return useSyncExternalStore(subscribe, () => engine.getStatus(), () => engine.getStatus());
}

export function useAuth(): AuthState | null {
  const { auth } = useDuetClient();
  const subscribe = useCallback((onChange: () => void) => auth.subscribe(onChange), [auth]);
  return useSyncExternalStore(subscribe, () => auth.current(), () => auth.current());
}

function useRealtimeSnapshot(): RealtimeSnapshot {
  const { realtime } = useDuetClient();
  const subscribe = useCallback((onChange: () => void) => realtime.subscribe(onChange), [realtime]);
  return useSyncExternalStore(subscribe, () => realtime.getSnapshot(), () => realtime.getSnapshot());
}

/** The real-time socket's state ('connected' when pokes and presence arrive). */
export function useRealtimeStatus(): RealtimeStatus {
  return useRealtimeSnapshot().status;
}

/**
 * What the socket says about partners, by user id: online, and typing in `conversationId` (typing
 * elsewhere counts as online only). `connected` false means nothing is known: show no presence.
 * A partner missing from `partners` while connected is offline.
 */
export function usePartnerPresence(conversationId?: string): { connected: boolean; partners: Readonly<Record<string, PartnerPresenceView>> } {
  const { status, partners } = useRealtimeSnapshot();
  const connected = status === 'connected';
  return useMemo(() => {
    const views: Record<string, PartnerPresenceView> = {};
    if (connected) {
      for (const [userId, presence] of Object.entries(partners)) {
        const typing = presence.state === 'typing' && conversationId !== undefined && presence.conversationId === conversationId;
        views[userId] = {
          userId,
          online: presence.state !== 'offline',
          typing,
          since: presence.at,
          activity: presence.activity ?? null,
          lastSeen: presence.lastSeen ?? null,
        };
      }
    }
    return { connected, partners: views };
  }, [connected, partners, conversationId]);
}

/** The live status of a transcript's job, as the socket last said it (undefined: nothing heard since sign-in). */
export function useLiveJob(transcriptId: string): LiveJob | undefined {
  return useRealtimeSnapshot().jobs[transcriptId];
}

/**
 * Tells partners (while sharing is on) that this device is doing `activity` while `active` is
 * true and the component is mounted.
 */
export function useActivityClaim(activity: Activity, active = true): void {
  const { realtime } = useDuetClient();
  useEffect(() => (active ? realtime.claimActivity(activity) : undefined), [realtime, activity, active]);
}

interface SharedQuery {
  query: LiveQuery<unknown>;
  subscribers: number;
}

const sharedQueries = new WeakMap<DuetClient, Map<string, SharedQuery>>();

/**
 * One live query per key and client, shared by every component that asks for it while any of
 * them is mounted: a component that mounts later (a message that just arrived) gets the answer at
 * once instead of a first render without it, and fifty messages read "me" once, not fifty times.
 * The query is dropped with its last subscriber, so no answer outlives its readers (a sign-out
 * never shows the previous person's data to the next screen).
 */
function sharedLiveQuery<T>(client: DuetClient, key: string, read: (reads: LocalReads) => Promise<T>): LiveQuery<T> {
  let byKey = sharedQueries.get(client);
  if (!byKey) {
    byKey = new Map();
    sharedQueries.set(client, byKey);
  }
  const existing = byKey.get(key);
  if (existing) return existing.query as LiveQuery<T>;
  const live = client.live(read);
  const queries = byKey;
  const shared: SharedQuery = {
    subscribers: 0,
    query: {
      subscribe(listener) {
        shared.subscribers += 1;
        // Back after its last subscriber left (a remount): shared again.
        if (!queries.has(key)) queries.set(key, shared);
        const unsubscribe = live.subscribe(listener);
        return () => {
          unsubscribe();
          shared.subscribers -= 1;
          if (shared.subscribers === 0 && queries.get(key) === shared) queries.delete(key);
        };
      },
      getSnapshot: live.getSnapshot,
    },
  };
  queries.set(key, shared);
  return shared.query as LiveQuery<T>;
}

/**
 * A live query of the client: the answer of `read`, again whenever a write touches a store it
 * read (the core records which). `key` identifies the query: a new key starts a new query and
 * discards the previous answer at once, so a screen never shows another conversation's data.
 * Components asking with the same key share one query (`sharedLiveQuery`).
 */
function useLiveQuery<T>(key: string, read: (reads: LocalReads) => Promise<T>): T | undefined {
  const client = useDuetClient();
  // `read` is rebuilt every render; `key` captures everything it depends on.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const query = useMemo(() => sharedLiveQuery(client, key, read), [client, key]);
  return useSyncExternalStore(query.subscribe, query.getSnapshot, query.getSnapshot);
}

export function useSpaces(): Space[] | undefined {
  return useLiveQuery('spaces', (r) => r.spaces());
}

export function useConversations(filter: { archived?: boolean; spaceId?: string } = {}): ConversationView[] | undefined {
  const key = `conversations:${String(filter.archived)}:${filter.spaceId ?? ''}`;
  return useLiveQuery(key, (r) => r.conversations(filter));
}

/** `null` when there is no such conversation (yet), `undefined` while loading. */
export function useConversation(id: string | null | undefined): ConversationView | null | undefined {
  return useLiveQuery(`conversation:${id ?? ''}`, (r) =>
    id ? r.conversation(id) : Promise.resolve(null),
  );
}

/** How many of the newest messages are read first, so a long conversation opens at once. */
export const FIRST_SCREEN_MESSAGES = 50;

/**
 * Messages of a conversation ordered by createdAt then id; deleted ones as tombstones (`deleted`, empty body).
 * The newest FIRST_SCREEN_MESSAGES come first (a cursor from the end of the index); only once they
 * are on screen is the whole list read (reading and checking 10,000 messages takes the main thread
 * for a while, and must not delay the first screen). The first query stops once the whole list is there.
 */
export function useMessages(conversationId: string | null | undefined): MessageView[] | undefined {
  // The conversation whose first screen has been answered: only then is all of it read.
  const [firstScreenOf, setFirstScreenOf] = useState<string | null>(null);
  const readAll = !conversationId || firstScreenOf === conversationId;
  const all = useLiveQuery(`messages:${conversationId ?? ''}:${readAll ? 'all' : 'later'}`, (r) =>
    !conversationId ? Promise.resolve([]) : readAll ? r.messages(conversationId) : Promise.resolve(undefined),
  );
  const newest = useLiveQuery(`messages-newest:${conversationId ?? ''}:${all ? 'done' : ''}`, (r) =>
    conversationId && !all ? r.messages(conversationId, { last: FIRST_SCREEN_MESSAGES }) : Promise.resolve(undefined),
  );
  useEffect(() => {
    if (conversationId && newest !== undefined) setFirstScreenOf(conversationId);
  }, [conversationId, newest]);
  return all ?? newest;
}

/** One message, deleted or not; `null` when there is no such message here, `undefined` while loading. */
export function useMessage(id: string | null | undefined): MessageView | null | undefined {
  return useLiveQuery(`message:${id ?? ''}`, (r) => (id ? r.message(id) : Promise.resolve(null)));
}

export function useTranscripts(filter: { conversationId?: string } = {}): TranscriptView[] | undefined {
  return useLiveQuery(`transcripts:${filter.conversationId ?? ''}`, (r) => r.transcripts(filter));
}

export function useTranscript(id: string | null | undefined): TranscriptView | null | undefined {
  return useLiveQuery(`transcript:${id ?? ''}`, (r) => (id ? r.transcript(id) : Promise.resolve(null)));
}

/** The user's sessions, newest first. */
export function useSessions(): Session[] | undefined {
  return useLiveQuery('sessions', (r) => r.sessions());
}

/** Conflicts not yet resolved on any device of the person, newest first, and the function that dismisses one. */
export function useConflicts(): { conflicts: Conflict[] | undefined; dismissConflict: (id: string) => Promise<void> } {
  const client = useDuetClient();
  const conflicts = useLiveQuery('conflicts', (r) => r.conflicts());
  const dismissConflict = useCallback((id: string) => client.dismissConflict(id), [client]);
  return { conflicts, dismissConflict };
}

/** The person's notifications, newest first, and how many are unread. */
export function useNotifications(): { notifications: Notification[] | undefined; unread: number } {
  const notifications = useLiveQuery('notifications', (r) => r.notifications());
  return useMemo(() => ({ notifications, unread: notifications?.filter((n) => n.readAt === null).length ?? 0 }), [notifications]);
}

/** The signed-in user and their spaces from the local store (works offline); null when nobody is. */
export function useMe(): MeView | null | undefined {
  return useLiveQuery('me', (r) => r.me());
}
