import { useTranslation } from 'react-i18next';
import { useFormatters } from '../../i18n/format.ts';
import { formatDuration } from './format-duration.ts';
import { parseTranscriptResult } from './transcript-result.ts';

/** The server's analysis of a transcript: words, duration, speakers and the most used words. */
export function TranscriptResult({ result }: { result: unknown }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const parsed = parseTranscriptResult(result);
  if (!parsed) return null;
  const score = (value: number) => format.number(Math.round(value * 100) / 100);

  return (
    <section aria-label={t('transcripts.resultTitle')}>
      <dl className="result-list">
        <div>
          <dt>{t('transcripts.result.wordCount')}</dt>
          <dd>{format.number(parsed.wordCount)}</dd>
        </div>
        <div>
          <dt>{t('transcripts.result.duration')}</dt>
          <dd>
            {formatDuration(parsed.durationMs)}
            {parsed.durationEstimated && ` ${t('transcripts.result.estimated')}`}
          </dd>
        </div>
        {parsed.sentiment !== null && (
          <div>
            <dt>{t('transcripts.result.sentiment')}</dt>
            <dd>{score(parsed.sentiment)}</dd>
          </div>
        )}
        {parsed.topWords.length > 0 && (
          <div>
            <dt>{t('transcripts.result.topWords')}</dt>
            <dd>{parsed.topWords.map((w) => t('transcripts.result.topWord', { word: w.word, count: w.count })).join(', ')}</dd>
          </div>
        )}
        {parsed.speakers.length > 0 && (
          <div>
            <dt>{t('transcripts.result.speakers')}</dt>
            <dd>
              <ul aria-label={t('transcripts.result.speakers')} style={{ margin: 0, paddingInlineStart: 0, listStyle: 'none' }}>
                {parsed.speakers.map((s) => (
                  <li key={s.name}>
                    <strong dir="auto">{s.name}</strong>{' '}
                    {t('transcripts.result.speakerStats', { turns: format.number(s.turns), words: format.number(s.words), count: s.turns })}
                    {s.sentiment !== null && `, ${t('transcripts.result.speakerSentiment', { score: score(s.sentiment) })}`}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}
