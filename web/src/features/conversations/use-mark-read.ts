import { useEffect } from 'react';
import type { ConversationView, MessageView } from '../../data/index.ts';
import { useMutate } from '../../app/use-mutate.ts';

/**
 * While a conversation is on screen and the page is visible, moves the person's read mark to its
 * newest message (a synced mutation, so their other devices stop counting it as unread too).
 * Only moves it forward, so it writes once per newly seen message, not once per render.
 */
export function useMarkRead(conversation: ConversationView | null | undefined, messages: readonly MessageView[] | undefined): void {
  const mutate = useMutate();
  const newest = messages?.at(-1)?.createdAt ?? 0;
  const id = conversation?.id;
  const readUpTo = conversation?.readUpTo ?? 0;
  useEffect(() => {
    if (!id || newest <= readUpTo) return;
    const mark = () => {
      if (document.visibilityState !== 'visible') return;
      void mutate('conversation.read', { id, upTo: newest }).catch(() => {
        // A read mark that cannot be stored now is written again the next time the list is seen.
      });
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [id, newest, readUpTo, mutate]);
}
