import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView } from '../../data/index.ts';
import { useMe } from '../../data/index.ts';
import { Link } from '../../app/Link.tsx';
import { useAction } from '../../app/use-action.ts';
import { useMutate } from '../../app/use-mutate.ts';
import { RenameForm } from './RenameForm.tsx';
import { isUntitled, useConversationTitle } from '../../app/use-conversation-title.ts';
import { FormError } from '../../app/FormError.tsx';
import { ConversationActivityLine } from './ConversationActivityLine.tsx';

/** One conversation in the list: its link, unsynced badge, and rename / archive controls. */
export function ConversationRow({ conversation }: { conversation: ConversationView }) {
  const { t } = useTranslation();
  const me = useMe();
  const mutate = useMutate();
  const [renaming, setRenaming] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  const stopRenaming = () => {
    refocus.current = true;
    setRenaming(false);
  };
  // Focus goes back to "Rename" when the editor closes (Save, Cancel, Escape).
  useEffect(() => {
    if (!renaming && refocus.current) renameButton.current?.focus();
    refocus.current = false;
  }, [renaming]);
  const { error, run } = useAction();
  const { id, archived, pendingChanges } = conversation;
  const title = useConversationTitle()(conversation);
  const shared = me?.sharedSpaceId === conversation.spaceId;

  return (
    <li className="conversation-row">
      {renaming ? (
        <RenameForm
          initial={isUntitled(conversation.title) ? '' : conversation.title}
          onCancel={stopRenaming}
          onSave={(next) =>
            run(async () => {
              if (next !== conversation.title) await mutate('conversation.update', { id, title: next });
              stopRenaming();
            })
          }
        />
      ) : (
        <>
          <div className="conversation-main">
            <Link href={`/conversations/${encodeURIComponent(id)}`} className="conversation-link" dir="auto">
              {title}
            </Link>
            <ConversationActivityLine conversation={conversation} />
            <div className="conversation-meta">
              {shared && <span className="tag">{t('conversations.shared')}</span>}
              {pendingChanges > 0 && <span className="badge">{t('conversations.pending', { count: pendingChanges })}</span>}
            </div>
          </div>
          <div className="row-actions">
            <button
              ref={renameButton}
              type="button"
              className="button button--small button--quiet"
              aria-label={t('conversations.renameNamed', { title })}
              onClick={() => setRenaming(true)}
            >
              {t('conversations.rename')}
            </button>
            <button
              type="button"
              className="button button--small button--quiet"
              aria-label={archived ? t('conversations.unarchiveNamed', { title }) : t('conversations.archiveNamed', { title })}
              onClick={() =>
                void run(async () => {
                  await mutate('conversation.update', { id, archived: !archived });
                  // The row leaves this list with its button: focus goes to the screen's heading.
                  document.querySelector<HTMLElement>('h1.screen-title')?.focus();
                })
              }
            >
              {archived ? t('conversations.unarchive') : t('conversations.archive')}
            </button>
          </div>
        </>
      )}
      <FormError message={error} />
    </li>
  );
}
