import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_TEXT_LENGTH } from '@duet/shared';
import { useConversations, useDuetClient, useMe, useSyncStatus } from '../../data/index.ts';
import { LengthHint } from '../../app/LengthHint.tsx';
import { useLimitedText } from '../../app/use-limited-text.ts';
import { useAction } from '../../app/use-action.ts';
import { useConversationTitle } from '../../app/use-conversation-title.ts';
import { currentLanguage } from '../../i18n/index.ts';
import { TRANSCRIPT_LANGUAGES, languageName } from './transcript-languages.ts';
import { RecordAudio } from './RecordAudio.tsx';
import { DictateButton } from './DictateButton.tsx';
import { appendPhrase } from './dictation.ts';
import { useRecorder } from './use-recorder.ts';
import { FormError } from '../../app/FormError.tsx';

/**
 * Text, language, an optional conversation and an optional recording; saved as a draft, or sent
 * for processing at once. The recording is kept on this device and uploads when it can.
 */
export function TranscriptForm() {
  const { t, i18n } = useTranslation();
  const client = useDuetClient();
  const me = useMe();
  const conversations = useConversations({ archived: false });
  const recorder = useRecorder();
  const ids = { text: useId(), language: useId(), conversation: useId(), submit: useId() };
  const { value: text, cut, setValue: setText } = useLimitedText(MAX_TEXT_LENGTH);
  const { online } = useSyncStatus();
  const [language, setLanguage] = useState<string>(currentLanguage());
  const [conversationId, setConversationId] = useState('');
  const [submitNow, setSubmitNow] = useState(false);
  const { error, run } = useAction();
  const titleOf = useConversationTitle();
  const [saved, setSaved] = useState<string | null>(null);
  const uiLanguage = i18n.resolvedLanguage ?? 'en';

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const conversation = conversations?.find((c) => c.id === conversationId);
    const spaceId = conversation?.spaceId ?? me?.sharedSpaceId ?? me?.personalSpaceId;
    // A recording alone is a transcript too: its text can be written later.
    if ((!text.trim() && !recorder.recorded) || !spaceId || recorder.phase !== 'idle') return;
    setSaved(null);
    await run(async () => {
      const { id } = await client.transcripts.create({
        spaceId,
        text,
        language,
        ...(conversation ? { conversationId: conversation.id } : {}),
        audio: recorder.recorded,
        submit: submitNow,
      });
      setText('');
      recorder.discard();
      setSaved(submitNow ? (online ? t('transcriptText.queuedOnline') : t('transcripts.savedAndSubmitted')) : t('transcripts.saved'));
      // The new transcript heads the list above the form: bring it into view.
      requestAnimationFrame(() => document.getElementById(`transcript-${id}`)?.scrollIntoView({ block: 'nearest' }));
    });
  };

  return (
    <form className="form card" onSubmit={(e) => void onSubmit(e)} aria-labelledby={`${ids.text}-title`}>
      <h2 id={`${ids.text}-title`} className="section-title">
        {t('transcripts.new')}
      </h2>
      <div className="field">
        <label htmlFor={ids.text}>{t('transcripts.text')}</label>
        <textarea
          id={ids.text}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={5}
          aria-describedby={`${ids.text}-hint`}
          dir="auto"
        />
        <LengthHint id={`${ids.text}-hint`} length={text.length} limit={MAX_TEXT_LENGTH} cut={cut} />
        <DictateButton language={language} onPhrase={(phrase) => setText((current) => appendPhrase(current, phrase))} />
      </div>
      <div className="field-pair">
        <div className="field">
          <label htmlFor={ids.language}>{t('transcripts.language')}</label>
          <select id={ids.language} value={language} onChange={(e) => setLanguage(e.target.value)}>
            {TRANSCRIPT_LANGUAGES.map((tag) => (
              <option key={tag} value={tag}>
                {languageName(tag, uiLanguage)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.conversation}>{t('transcripts.conversation')}</label>
          <select id={ids.conversation} value={conversationId} onChange={(e) => setConversationId(e.target.value)}>
            <option value="">{t('transcripts.noConversation')}</option>
            {conversations?.map((c) => (
              <option key={c.id} value={c.id}>
                {titleOf(c)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <RecordAudio recorder={recorder} />
      <label className="toggle" htmlFor={ids.submit}>
        <input id={ids.submit} type="checkbox" checked={submitNow} onChange={(e) => setSubmitNow(e.target.checked)} />
        <span>{t('transcripts.submitNow')}</span>
      </label>
      <FormError message={error} />
      {saved && (
        <p className="form-success" role="status">
          {saved}
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={(!text.trim() && !recorder.recorded) || recorder.phase !== 'idle'}>
        {t('transcripts.save')}
      </button>
    </form>
  );
}
