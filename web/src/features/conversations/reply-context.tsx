/**
 * Replying in one conversation: which message the composer quotes, and every message of the
 * conversation by id so a reply can show what it answers (or that it was deleted).
 */
import { createContext, useContext, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { MessageView } from '../../data/index.ts';

interface ReplyState {
  replyingTo: MessageView | null;
  startReply: (message: MessageView) => void;
  cancelReply: () => void;
  messageById: (id: string) => MessageView | undefined;
}

const ReplyContext = createContext<ReplyState | null>(null);

export function ReplyProvider({ messages, children }: { messages: readonly MessageView[] | undefined; children: ReactNode }) {
  const [replyingToId, setReplyingToId] = useState<string | null>(null);
  const value = useMemo<ReplyState>(() => {
    const byId = new Map((messages ?? []).map((m) => [m.id, m]));
    const target = replyingToId ? byId.get(replyingToId) : undefined;
    return {
      // A message deleted while the reply was being written can no longer be quoted.
      replyingTo: target && !target.deleted ? target : null,
      startReply: (message) => setReplyingToId(message.id),
      cancelReply: () => setReplyingToId(null),
      messageById: (id) => byId.get(id),
    };
  }, [messages, replyingToId]);
  return <ReplyContext.Provider value={value}>{children}</ReplyContext.Provider>;
}

const outside: ReplyState = { replyingTo: null, startReply: () => undefined, cancelReply: () => undefined, messageById: () => undefined };

/** The reply state of the conversation on screen (no replying outside one). */
export function useReply(): ReplyState {
  return useContext(ReplyContext) ?? outside;
}
