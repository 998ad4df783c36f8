import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_TEXT_LENGTH } from '@duet/shared';
import { LengthHint } from '../../app/LengthHint.tsx';
import { SaveCancelButtons } from '../../app/SaveCancelButtons.tsx';
import { useLimitedText } from '../../app/use-limited-text.ts';
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
import { LiveJobStatus, useCurrentLiveJob } from './LiveJobStatus.tsx';

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
  const liveJob = useCurrentLiveJob(transcript);
  // The socket is ahead of the next pull: its word on the job is the newest.
  const status = liveJob?.status ?? transcript.status;
  const titleOf = useConversationTitle();
  const canSubmit = transcript.status === 'draft' || transcript.status === 'failed';
  const preview = excerpt(transcript.text, 140) || t('transcripts.noText');
  const [expanded, setExpanded] = useState(false);
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  // Cut (the preview is one line of at most 140 characters), or several lines folded into one.
  const long = transcript.text.trim().length > 140 || /\n/.test(transcript.text.trim());
  const textId = useId();

  const submit = async () => {
    await run(() => mutate('transcript.submit', { id: transcript.id }));
  };

  return (
    <li id={`transcript-${transcript.id}`}>
      <article
        className="transcript"
        aria-label={t('transcripts.itemLabel', {
          preview: excerpt(transcript.text, 40),
          status: t(`transcripts.status.${status}`),
        })}
      >
        <header className="transcript-meta">
          <span className={`status-pill status-pill--${status}`}>{t(`transcripts.status.${status}`)}</span>
          <span>{languageName(transcript.language, i18n.resolvedLanguage ?? 'en')}</span>
          <time dateTime={new Date(transcript.createdAt).toISOString()}>{format.dateTime(transcript.createdAt)}</time>
          {transcript.pending && <span className="message-pending">{t('transcripts.notSent')}</span>}
        </header>
        {editing ? (
          <TranscriptEditor
            initial={transcript.text}
            onCancel={() => {
              setEditing(false);
              editButton.current?.focus();
            }}
            onSave={(text) =>
              run(async () => {
                await mutate('transcript.update', { id: transcript.id, text });
                setEditing(false);
              })
            }
          />
        ) : (
          <p id={textId} className="transcript-text" dir="auto">
            {expanded ? transcript.text : preview}
          </p>
        )}
        {long && !editing && (
          <button
            type="button"
            className="link-button"
            aria-expanded={expanded}
            aria-controls={textId}
            onClick={() => setExpanded((v) => !v)}
          >
            {expanded ? t('transcriptText.showLess') : t('transcriptText.showAll')}
          </button>
        )}
        {liveJob && <LiveJobStatus job={liveJob} />}
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
          {transcript.status === 'draft' && !editing && (
            <button ref={editButton} type="button" className="button button--small button--quiet" onClick={() => setEditing(true)}>
              {t('transcriptText.edit')}
            </button>
          )}
          <DeleteTranscript transcriptId={transcript.id} />
        </div>
        <FormError message={error} />
      </article>
    </li>
  );
}

/** Edits a draft's text in place; Escape cancels. */
function TranscriptEditor(props: { initial: string; onSave: (text: string) => Promise<unknown>; onCancel: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const { value, cut, setValue } = useLimitedText(MAX_TEXT_LENGTH, props.initial);
  useEffect(() => {
    area.current?.focus({ preventScroll: true });
    area.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  return (
    // Escape anywhere in the form cancels: key events bubble up from its fields and buttons.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave(value);
      }}
      onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}
    >
      <label htmlFor={id}>{t('transcriptText.editLabel')}</label>
      <textarea
        id={id}
        ref={area}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        rows={6}
        aria-describedby={`${id}-hint`}
        dir="auto"
      />
      <LengthHint id={`${id}-hint`} length={value.length} limit={MAX_TEXT_LENGTH} cut={cut} />
      <SaveCancelButtons onCancel={props.onCancel} />
    </form>
  );
}
