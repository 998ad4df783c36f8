import { useTranslation } from 'react-i18next';
import type { TranscriptView } from '../../data/index.ts';
import { useConversation } from '../../data/index.ts';
import { excerpt } from '../../app/excerpt.ts';
import { useAction } from '../../app/use-action.ts';
import { useConversationTitle } from '../../app/use-conversation-title.ts';
import { useMutate } from '../../app/use-mutate.ts';
import { useFormatters } from '../../i18n/format.ts';
import { languageName } from './transcript-languages.ts';
import { DeleteTranscript } from './DeleteTranscript.tsx';
import { TranscriptAudio } from './TranscriptAudio.tsx';
import { TranscriptResult } from './TranscriptResult.tsx';
import { FormError } from '../../app/FormError.tsx';

/**
 * One transcript: a preview, its status, its audio, the processing result, "Submit for
 * processing" while it is a draft or failed, and "Delete transcript".
 */
export function TranscriptItem({ transcript }: { transcript: TranscriptView }) {
  const { t, i18n } = useTranslation();
  const mutate = useMutate();
  const format = useFormatters();
  const conversation = useConversation(transcript.conversationId);
  const { error, run } = useAction();
  const titleOf = useConversationTitle();
  const canSubmit = transcript.status === 'draft' || transcript.status === 'failed';
  const preview = excerpt(transcript.text, 140) || t('transcripts.noText');

  const submit = async () => {
    await run(() => mutate('transcript.submit', { id: transcript.id }));
  };

  return (
    <li>
      <article
        className="transcript"
        aria-label={t('transcripts.itemLabel', {
          preview: excerpt(transcript.text, 40),
          status: t(`transcripts.status.${transcript.status}`),
        })}
      >
        <header className="transcript-meta">
          <span className={`status-pill status-pill--${transcript.status}`}>{t(`transcripts.status.${transcript.status}`)}</span>
          <span>{languageName(transcript.language, i18n.resolvedLanguage ?? 'en')}</span>
          <time dateTime={new Date(transcript.createdAt).toISOString()}>{format.dateTime(transcript.createdAt)}</time>
          {transcript.pending && <span className="message-pending">{t('transcripts.notSent')}</span>}
        </header>
        <p className="transcript-text" dir="auto">
          {preview}
        </p>
        {conversation && <p className="muted">{t('transcripts.linkedTo', { title: titleOf(conversation) })}</p>}
        {transcript.status === 'failed' && transcript.error && (
          <p className="form-error">{t('transcripts.failedBecause', { error: transcript.error })}</p>
        )}
        <TranscriptAudio transcript={transcript} />
        {transcript.status === 'done' && <TranscriptResult result={transcript.result} />}
        <div className="button-row">
          {canSubmit && (
            <button type="button" className="button button--small" onClick={() => void submit()}>
              {transcript.status === 'failed' ? t('transcripts.resubmit') : t('transcripts.submit')}
            </button>
          )}
          <DeleteTranscript transcriptId={transcript.id} />
        </div>
        <FormError message={error} />
      </article>
    </li>
  );
}
