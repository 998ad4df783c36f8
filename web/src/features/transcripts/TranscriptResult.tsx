import { useTranslation } from 'react-i18next';
import { useFormatters } from '../../i18n/format.ts';
import { listParts } from '../../i18n/lists.ts';
import { formatDuration } from './format-duration.ts';
import { parseTranscriptResult } from './transcript-result.ts';

/** The tone in words: the AFINN score per word runs from −5 (very negative) to +5 (very positive). */
function toneWord(score: number): 'positive' | 'negative' | 'neutral' {
  return score >= 0.1 ? 'positive' : score <= -0.1 ? 'negative' : 'neutral';
}

/** The server's analysis of a transcript: words, duration, speakers and the most used words. */
export function TranscriptResult({ result }: { result: unknown }) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? 'en';
  const format = useFormatters();
  const parsed = parseTranscriptResult(result);
  if (!parsed) return null;
  const score = (value: number) => format.number(Math.round(value * 100) / 100);
  const tone = (value: number) => t('resultText.tone', { tone: t(`resultText.toneWord.${toneWord(value)}`), score: score(value) });

  return (
    // A group, not a region: every transcript has one, and regions must have names of their own.
    <div role="group" aria-label={t('transcripts.resultTitle')}>
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
            <dd>
              {tone(parsed.sentiment)}
              <span className="result-hint">{t('resultText.toneHint')}</span>
            </dd>
          </div>
        )}
        {parsed.topWords.length > 0 && (
          <div>
            <dt>{t('transcripts.result.topWords')}</dt>
            <dd>
              {/* Each word isolated, so a word in another script keeps its count beside it. */}
              {listParts(
                parsed.topWords.map((w) => t('transcripts.result.topWord', { word: w.word, count: w.count })),
                language,
                'unit',
              ).map((part, index) => (part.type === 'element' ? <bdi key={index}>{part.value}</bdi> : part.value))}
            </dd>
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
                    {s.sentiment !== null && ` · ${tone(s.sentiment)}`}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}
