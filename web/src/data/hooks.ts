/**
 * React bindings: thin adapters over the client. Each live hook re-reads the local store when a
 * store it depends on changes, in this tab or another (the client forwards BroadcastChannel news).
 * List hooks return `undefined` until the first read finished, then the data.
 */
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import type { Conflict, Session, Space } from '@duet/shared';
import type { AuthState, ConversationView, DuetClient, LocalReads, MeView, MessageView, PartnerPresenceView, RealtimeSnapshot, RealtimeStatus, SyncStatus, TranscriptView } from '@duet/client';

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
        views[userId] = { userId, online: presence.state !== 'offline', typing, since: presence.at };
      }
    }
    return { connected, partners: views };
  }, [connected, partners, conversationId]);
}

/**
 * Runs `read` now and again whenever one of `stores` changes. `key` identifies the query: a new
 * key discards the previous answer at once, so a screen never shows another conversation's data.
 */
function useLiveQuery<T>(key: string, stores: readonly string[], read: (reads: LocalReads) => Promise<T>): T | undefined {
  const client = useDuetClient();
  const [state, setState] = useState<{ key: string; value: T } | undefined>(undefined);
  useEffect(() => {
    let live = true;
    let latest = 0;
    const run = () => {
      const run = ++latest;
      read(client.read).then(
        (value) => {
          if (live && run === latest) setState({ key, value });
        },
        // A failed read (store closed during sign-out) keeps the last answer; the next change retries.
        () => undefined,
      );
    };
    run();
    const unsubscribe = client.onLocalChange((changed) => {
      if (changed.some((store) => stores.includes(store))) run();
    });
    return () => {
      live = false;
      unsubscribe();
    };
    // `read` is rebuilt every render; `key` captures everything it depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, key]);
  return state?.key === key ? state.value : undefined;
}

export function useSpaces(): Space[] | undefined {
  return useLiveQuery('spaces', ['spaces'], (r) => r.spaces());
}

export function useConversations(filter: { archived?: boolean; spaceId?: string } = {}): ConversationView[] | undefined {
  const key = `conversations:${String(filter.archived)}:${filter.spaceId ?? ''}`;
  return useLiveQuery(key, ['conversations', 'messages', 'transcripts', 'outbox'], (r) => r.conversations(filter));
}

/** `null` when there is no such conversation (yet), `undefined` while loading. */
export function useConversation(id: string | null | undefined): ConversationView | null | undefined {
  return useLiveQuery(`conversation:${id ?? ''}`, ['conversations', 'messages', 'transcripts', 'outbox'], (r) =>
    id ? r.conversation(id) : Promise.resolve(null),
  );
}

/** Messages of a conversation ordered by createdAt then id; deleted ones (tombstones) left out. */
export function useMessages(conversationId: string | null | undefined): MessageView[] | undefined {
  return useLiveQuery(`messages:${conversationId ?? ''}`, ['messages', 'outbox'], (r) =>
    conversationId ? r.messages(conversationId) : Promise.resolve([]),
  );
}

export function useTranscripts(filter: { conversationId?: string } = {}): TranscriptView[] | undefined {
  return useLiveQuery(`transcripts:${filter.conversationId ?? ''}`, ['transcripts', 'outbox'], (r) => r.transcripts(filter));
}

export function useTranscript(id: string | null | undefined): TranscriptView | null | undefined {
  return useLiveQuery(`transcript:${id ?? ''}`, ['transcripts', 'outbox'], (r) => (id ? r.transcript(id) : Promise.resolve(null)));
}

/** The user's sessions, newest first. */
export function useSessions(): Session[] | undefined {
  return useLiveQuery('sessions', ['sessions'], (r) => r.sessions());
}

/** Conflicts not dismissed on this device, newest first, and the function that dismisses one. */
export function useConflicts(): { conflicts: Conflict[] | undefined; dismissConflict: (id: string) => Promise<void> } {
  const client = useDuetClient();
  const conflicts = useLiveQuery('conflicts', ['conflicts', 'meta'], (r) => r.conflicts());
  const dismissConflict = useCallback((id: string) => client.dismissConflict(id), [client]);
  return { conflicts, dismissConflict };
}

/** The signed-in user and their spaces from the local store (works offline); null when nobody is. */
export function useMe(): MeView | null | undefined {
  return useLiveQuery('me', ['spaces', 'meta'], (r) => r.me());
}
