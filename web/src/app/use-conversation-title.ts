/**
 * A conversation's title as shown: its own, or, when it has none, "Untitled conversation" in the
 * reader's language. Untitled conversations store no title (a partner reading another language
 * sees it in theirs); ones created before that stored the English, Spanish or Arabic default,
 * which is shown in the reader's language too.
 */
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

/** The defaults earlier versions stored as the title of an untitled conversation. */
const STORED_DEFAULTS = new Set(['Untitled conversation', 'Conversación sin título', 'محادثة بلا عنوان']);

/** True when a stored title means "no title". */
export function isUntitled(title: string): boolean {
  return title.trim() === '' || STORED_DEFAULTS.has(title);
}

export function useConversationTitle(): (conversation: { title: string }) => string {
  const { t } = useTranslation();
  return useCallback((conversation) => (isUntitled(conversation.title) ? t('conversations.untitled') : conversation.title), [t]);
}
