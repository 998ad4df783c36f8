/**
 * When the person's edit lost to another write: a one-line notice that opens to say what happened,
 * where (the conversation, linked), and offers to restore their version, or, when a delete won,
 * shows the text that was lost with "Copy" and "Send again as a new message". Restoring and
 * dismissing are synced (`conflict.resolve`), so the notice goes on every device of the person.
 */
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Conflict } from '@duet/shared';
import { useConflicts, useConversation, useDuetClient, useMessage, useTranscript } from '../data/index.ts';
import { excerpt } from './excerpt.ts';
import { Link } from './Link.tsx';
import { useAction } from './use-action.ts';
import { useMutate } from './use-mutate.ts';
import { usePersonName } from './use-person-name.ts';
import { useConversationTitle } from './use-conversation-title.ts';

type Mutate = ReturnType<typeof useMutate>;

/** Issues the person's losing value again as a fresh update; false when it cannot be restored. */
async function restore(conflict: Conflict, mutate: Mutate): Promise<boolean> {
  const value = conflict.yourValue;
  const id = conflict.entityId;
  if (conflict.entityKind === 'conversation' && conflict.field === 'title' && typeof value === 'string') {
    await mutate('conversation.update', { id, title: value });
  } else if (conflict.entityKind === 'conversation' && conflict.field === 'archived' && typeof value === 'boolean') {
    await mutate('conversation.update', { id, archived: value });
  } else if (conflict.entityKind === 'message' && conflict.field === 'body' && typeof value === 'string') {
    await mutate('message.edit', { id, body: value });
  } else if (conflict.entityKind === 'transcript' && conflict.field === 'text' && typeof value === 'string') {
    await mutate('transcript.update', { id, text: value });
  } else {
    return false;
  }
  return true;
}

function describeValue(value: unknown, t: (key: string) => string): string {
  if (typeof value === 'boolean') return value ? t('conflicts.archivedValue') : t('conflicts.activeValue');
  if (typeof value === 'string') return excerpt(value, 120);
  return '';
}

/** "your other device renamed …" opens the sentence, so its first letter is raised ("Your other device …"). */
function sentence(text: string, language: string): string {
  return text.charAt(0).toLocaleUpperCase(language) + text.slice(1);
}

/** The text an edit lost to a delete: all of it, to copy or send again as a new message. */
function LostText({ conflict, conversationId, onResolved }: { conflict: Conflict; conversationId: string | null; onResolved: () => void }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const mutate = useMutate();
  const { error, run } = useAction();
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const text = typeof conflict.yourValue === 'string' ? conflict.yourValue : '';
  const textId = useId();
  if (!text) return null;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };

  const sendAgain = async () => {
    if (!conversationId) return;
    const sent = await run(async () => {
      await mutate('message.add', { id: client.newId(), conversationId, body: text });
      await client.resolveConflict(conflict.id, 'restored');
      return true;
    });
    if (sent) onResolved();
  };

  return (
    <>
      <p id={textId} className="conflict-lost-label">
        {t('conflictNotice.lostText')}
      </p>
      <blockquote className="quote conflict-lost-text" dir="auto" aria-labelledby={textId}>
        {text}
      </blockquote>
      {copied && (
        <p className="muted" role="status">
          {t(copied === 'copied' ? 'conflictNotice.copied' : 'conflictNotice.copyFailed')}
        </p>
      )}
      {error && <p className="form-error">{error}</p>}
      <div className="button-row">
        <button type="button" className="button button--small" onClick={() => void copy()}>
          {t('conflictNotice.copy')}
        </button>
        {conversationId && (
          <button type="button" className="button button--small" onClick={() => void sendAgain()}>
            {t('conflictNotice.sendAgain')}
          </button>
        )}
      </div>
    </>
  );
}

function ConflictItem({ conflict, onGone }: { conflict: Conflict; onGone: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useDuetClient();
  const mutate = useMutate();
  const personName = usePersonName();
  const message = useMessage(conflict.entityKind === 'message' ? conflict.entityId : null);
  const transcript = useTranscript(conflict.entityKind === 'transcript' ? conflict.entityId : null);
  const conversationId =
    conflict.entityKind === 'conversation'
      ? conflict.entityId
      : conflict.entityKind === 'message'
        ? (message?.conversationId ?? null)
        : (transcript?.conversationId ?? null);
  const conversation = useConversation(conversationId);
  const titleOf = useConversationTitle();
  const { error, run } = useAction();
  const who = personName(conflict.winningBy, 'otherDevice');
  const title = conversation ? titleOf(conversation) : '';
  const where = conversation ? 'In' : '';
  const key = `conflictNotice.what.${conflict.entityKind}.${conflict.field}${where}`;
  const lostToDelete = conflict.field === 'deleted';

  const onRestore = async () => {
    const done = await run(async () => {
      if (!(await restore(conflict, mutate))) return false;
      await client.resolveConflict(conflict.id, 'restored');
      return true;
    });
    if (done) onGone();
  };

  const onDismiss = async () => {
    if (await run(async () => (await client.dismissConflict(conflict.id), true))) onGone();
  };

  return (
    <li className="notice-item">
      <p>
        {sentence(t(key, { who, title, defaultValue: t('conflicts.what.other', { who }) }), i18n.resolvedLanguage ?? 'en')}{' '}
        {conversation && (
          <Link href={`/conversations/${encodeURIComponent(conversation.id)}`} dir="auto">
            {t('conflictNotice.open', { title })}
          </Link>
        )}
        {!conversation && conflict.entityKind === 'transcript' && <Link href="/transcripts">{t('conflictNotice.openTranscripts')}</Link>}
      </p>
      {lostToDelete ? (
        <LostText conflict={conflict} conversationId={message?.conversationId ?? null} onResolved={onGone} />
      ) : (
        <p className="quote">{t('conflicts.yourVersion', { value: describeValue(conflict.yourValue, t) })}</p>
      )}
      {error && <p className="form-error">{error}</p>}
      <div className="button-row">
        {!lostToDelete && (
          <button type="button" className="button button--small" onClick={() => void onRestore()}>
            {t('conflicts.restore')}
          </button>
        )}
        <button type="button" className="button button--small button--quiet" onClick={() => void onDismiss()}>
          {t('conflicts.dismiss')}
        </button>
      </div>
    </li>
  );
}

export function ConflictsNotice() {
  const { t } = useTranslation();
  const { conflicts } = useConflicts();
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const listId = useId();
  if (!conflicts || conflicts.length === 0) return null;

  // A resolved item leaves the list: focus goes back to the button that opened it, or to the
  // screen once the notice is gone with its last item.
  const onGone = () => {
    if (conflicts.length > 1) toggle.current?.focus();
    else document.getElementById('main')?.focus();
  };

  return (
    <section className="notice notice--warning notice--compact" aria-labelledby="conflicts-title">
      <div className="notice-head">
        <h2 id="conflicts-title" className="notice-title">
          {t('conflicts.title', { count: conflicts.length })}
        </h2>
        <button
          ref={toggle}
          type="button"
          className="button button--small button--quiet"
          aria-expanded={open}
          aria-controls={listId}
          onClick={() => setOpen((value) => !value)}
        >
          {open ? t('conflictNotice.hide') : t('conflictNotice.show')}
        </button>
      </div>
      {open && (
        <ul id={listId} className="notice-list notice-list--scroll">
          {conflicts.map((c) => (
            <ConflictItem key={c.id} conflict={c} onGone={onGone} />
          ))}
        </ul>
      )}
    </section>
  );
}
