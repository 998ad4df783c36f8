/**
 * One conversation: its title, its messages (oldest at the top, newest at the bottom) and a
 * composer; in a shared one also whether the partner is online and typing.
 */
import { useTranslation } from 'react-i18next';
import { useConversation, useMessages } from '../../data/index.ts';
import { Link } from '../../app/Link.tsx';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { useConversationTitle } from '../../app/use-conversation-title.ts';
import { MessageComposer } from './MessageComposer.tsx';
import { MessageList } from './MessageList.tsx';
import { PartnerStatus, TypingIndicator, useConversationPartners } from './PartnerPresence.tsx';
import { useMarkRead } from './use-mark-read.ts';
import { ReplyProvider } from './reply-context.tsx';

export function ConversationScreen({ id }: { id: string }) {
  const { t } = useTranslation();
  const conversation = useConversation(id);
  const messages = useMessages(id);
  const partners = useConversationPartners(conversation);
  useMarkRead(conversation, messages);
  const titleOf = useConversationTitle();

  return (
    <section className="screen screen--conversation">
      <div className="conversation-header">
        <Link href={conversation?.archived ? '/conversations?archived' : '/conversations'} className="back-link">
          <span aria-hidden="true" className="back-arrow">
            ‹
          </span>
          {t('conversation.back')}
        </Link>
        <ScreenHeading className="conversation-title" dir="auto">
          {conversation ? titleOf(conversation) : conversation === null ? t('conversation.notFoundTitle') : '…'}
        </ScreenHeading>
        <PartnerStatus partners={partners} />
      </div>
      {conversation === null ? (
        <p className="empty">{t('conversation.notFound')}</p>
      ) : (
        <>
          {conversation?.archived && <p className="notice notice--info">{t('conversation.archived')}</p>}
          <ReplyProvider messages={messages}>
            <MessageList messages={messages} />
            {partners.length > 0 && <TypingIndicator conversationId={id} partners={partners} messages={messages} />}
            <MessageComposer conversationId={id} shared={partners.length > 0} />
          </ReplyProvider>
        </>
      )}
    </section>
  );
}
