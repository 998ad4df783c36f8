/** One conversation: its title, its messages (oldest at the top, newest at the bottom) and a composer. */
import { useTranslation } from 'react-i18next';
import { useConversation, useMessages } from '../../data/index.ts';
import { Link } from '../../app/Link.tsx';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { MessageComposer } from './MessageComposer.tsx';
import { MessageList } from './MessageList.tsx';

export function ConversationScreen({ id }: { id: string }) {
  const { t } = useTranslation();
  const conversation = useConversation(id);
  const messages = useMessages(id);

  return (
    <section className="screen screen--conversation">
      <div className="conversation-header">
        <Link href={conversation?.archived ? '/conversations?archived' : '/conversations'} className="back-link">
          <span aria-hidden="true" className="back-arrow">
            ‹
          </span>
          {t('conversation.back')}
        </Link>
        <ScreenHeading className="conversation-title" dir="auto">{conversation?.title ?? (conversation === null ? t('conversation.notFoundTitle') : '…')}</ScreenHeading>
      </div>
      {conversation === null ? (
        <p className="empty">{t('conversation.notFound')}</p>
      ) : (
        <>
          {conversation?.archived && <p className="notice notice--info">{t('conversation.archived')}</p>}
          <MessageList messages={messages} />
          <MessageComposer conversationId={id} />
        </>
      )}
    </section>
  );
}
