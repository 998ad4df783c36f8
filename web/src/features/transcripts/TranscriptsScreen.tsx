/** Write a transcript (kept on the device until it can be sent) and follow its processing. */
import { useTranslation } from 'react-i18next';
import { useActivityClaim, useTranscripts } from '../../data/index.ts';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { TranscriptForm } from './TranscriptForm.tsx';
import { TranscriptItem } from './TranscriptItem.tsx';

export function TranscriptsScreen() {
  const { t } = useTranslation();
  const transcripts = useTranscripts();
  // Reading transcripts and their results is what partners see as "reviewing".
  useActivityClaim('reviewing');
  // A deleted transcript stays in the store as a tombstone until the server forgets it.
  const sorted = transcripts?.filter((t) => !t.deleted).sort((a, b) => b.createdAt - a.createdAt);
  return (
    <section className="screen">
      <ScreenHeading>{t('transcripts.title')}</ScreenHeading>
      <h2 className="section-title">{t('transcripts.listTitle')}</h2>
      {sorted === undefined ? (
        <p className="muted">{t('app.loading')}</p>
      ) : sorted.length === 0 ? (
        <p className="empty">{t('transcripts.empty')}</p>
      ) : (
        <ul className="transcript-list" aria-label={t('transcripts.listTitle')}>
          {sorted.map((transcript) => (
            <TranscriptItem key={transcript.id} transcript={transcript} />
          ))}
        </ul>
      )}
      <TranscriptForm />
    </section>
  );
}
