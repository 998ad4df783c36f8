/** When the person's edit lost to another write: what happened, and a way to restore theirs. */
import { useTranslation } from 'react-i18next';
import type { Conflict } from '@duet/shared';
import { useConflicts, useConversation } from '../data/index.ts';
import { excerpt } from './excerpt.ts';
import { useAction } from './use-action.ts';
import { useMutate } from './use-mutate.ts';
import { usePersonName } from './use-person-name.ts';

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

function canRestore(conflict: Conflict): boolean {
  return conflict.field !== 'deleted';
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

function ConflictItem({ conflict, onDismiss }: { conflict: Conflict; onDismiss: () => void }) {
  const { t, i18n } = useTranslation();
  const mutate = useMutate();
  const personName = usePersonName();
  const conversation = useConversation(conflict.entityKind === 'conversation' ? conflict.entityId : null);
  const { error, run } = useAction();
  const who = personName(conflict.winningBy, 'otherDevice');
  const title = conversation?.title ?? '';
  const key = `conflicts.what.${conflict.entityKind}.${conflict.field}`;

  const onRestore = async () => {
    if (await run(() => restore(conflict, mutate))) onDismiss();
  };

  return (
    <li className="notice-item">
      <p>{sentence(t(key, { who, title, defaultValue: t('conflicts.what.other', { who }) }), i18n.resolvedLanguage ?? 'en')}</p>
      {conflict.field !== 'deleted' && (
        <p className="quote">{t('conflicts.yourVersion', { value: describeValue(conflict.yourValue, t) })}</p>
      )}
      {error && <p className="form-error">{error}</p>}
      <div className="button-row">
        {canRestore(conflict) && (
          <button type="button" className="button button--small" onClick={() => void onRestore()}>
            {t('conflicts.restore')}
          </button>
        )}
        <button type="button" className="button button--small button--quiet" onClick={onDismiss}>
          {t('conflicts.dismiss')}
        </button>
      </div>
    </li>
  );
}

export function ConflictsNotice() {
  const { t } = useTranslation();
  const { conflicts, dismissConflict } = useConflicts();
  if (!conflicts || conflicts.length === 0) return null;
  return (
    <section className="notice notice--warning" aria-labelledby="conflicts-title">
      <h2 id="conflicts-title" className="notice-title">
        {t('conflicts.title', { count: conflicts.length })}
      </h2>
      <ul className="notice-list">
        {conflicts.map((c) => (
          <ConflictItem key={c.id} conflict={c} onDismiss={() => void dismissConflict(c.id)} />
        ))}
      </ul>
    </section>
  );
}
