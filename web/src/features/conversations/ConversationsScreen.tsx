/** The list of conversations (active or archived), with a form to start a new one. */
import { useTranslation } from 'react-i18next';
import { useConversations } from '../../data/index.ts';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { navigate } from '../../app/router.ts';
import { ConversationRow } from './ConversationRow.tsx';
import { NewConversationForm } from './NewConversationForm.tsx';

export function ConversationsScreen({ archived }: { archived: boolean }) {
  const { t } = useTranslation();
  const conversations = useConversations({ archived });
  // Newest activity first: the order the client's query answers in.
  const sorted = conversations;

  return (
    <section className="screen">
      <ScreenHeading>{archived ? t('conversations.archivedTitle') : t('conversations.title')}</ScreenHeading>
      {!archived && <NewConversationForm />}
      <label className="toggle">
        <input
          type="checkbox"
          checked={archived}
          onChange={(e) => navigate(e.target.checked ? '/conversations?archived' : '/conversations', { replace: true })}
        />
        <span>{t('conversations.showArchived')}</span>
      </label>
      {sorted === undefined ? (
        <p className="muted">{t('app.loading')}</p>
      ) : sorted.length === 0 ? (
        <p className="empty">{archived ? t('conversations.emptyArchived') : t('conversations.empty')}</p>
      ) : (
        <ul className="conversation-list" aria-label={archived ? t('conversations.archivedTitle') : t('conversations.title')}>
          {sorted.map((c) => (
            <ConversationRow key={c.id} conversation={c} />
          ))}
        </ul>
      )}
    </section>
  );
}
