/**
 * Search across conversations and transcripts on this device (works offline): results as the
 * person types, each naming where it was found and linking there, with the matched words marked.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SearchHit } from '@duet/client';
import { Link } from '../../app/Link.tsx';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { useFormatters } from '../../i18n/format.ts';
import { HighlightedSnippet } from './HighlightedSnippet.tsx';
import { useLocalSearch } from './use-local-search.ts';

function hitHref(hit: SearchHit): string {
  if (hit.kind === 'transcript') return '/transcripts';
  return `/conversations/${encodeURIComponent(hit.conversationId ?? hit.id)}`;
}

export function SearchScreen() {
  const { t } = useTranslation();
  const format = useFormatters();
  const inputId = useId();
  const [query, setQuery] = useState('');
  const result = useLocalSearch(query);

  return (
    <section className="screen screen--search">
      <ScreenHeading>{t('everyday.search.title')}</ScreenHeading>
      <form role="search" className="search-form" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor={inputId}>{t('everyday.search.label')}</label>
        <input
          id={inputId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder={t('everyday.search.placeholder')}
          autoComplete="off"
          enterKeyHint="search"
        />
      </form>
      <p role="status" className="muted search-summary">
        {result.state === 'searching'
          ? t('everyday.search.searching')
          : result.state === 'failed'
            ? t('everyday.search.failed')
            : result.state === 'done'
              ? t('everyday.search.count', { count: result.hits.length })
              : t('everyday.search.hint')}
      </p>
      {result.state === 'done' && result.hits.length > 0 && (
        <ul className="search-results" aria-label={t('everyday.search.results')}>
          {result.hits.map((hit) => {
            const where = hit.kind === 'transcript' ? t('everyday.search.inTranscripts') : hit.conversationTitle;
            return (
              <li key={`${hit.kind}/${hit.id}`} className="search-result">
                <Link href={hitHref(hit)} className="search-result-link">
                  <span className="search-result-where">
                    {t(`everyday.search.kind.${hit.kind}`)}
                    {where && hit.kind !== 'conversation' ? ` · ${where}` : ''}
                  </span>
                  <HighlightedSnippet text={hit.text} terms={hit.terms} />
                </Link>
                <time className="muted" dateTime={new Date(hit.createdAt).toISOString()}>
                  {format.dateTime(hit.createdAt)}
                </time>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
