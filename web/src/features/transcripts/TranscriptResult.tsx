import { useTranslation } from 'react-i18next';
import { useFormatters } from '../../i18n/format.ts';

type Primitive = string | number | boolean;

function isPrimitive(value: unknown): value is Primitive {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * The server's analysis of a transcript. Its shape belongs to the processing job, so this shows
 * the simple fields it finds (a summary, counts, lists of words) and ignores nested ones.
 */
export function TranscriptResult({ result }: { result: unknown }) {
  const { t } = useTranslation();
  const format = useFormatters();
  if (typeof result !== 'object' || result === null) return null;
  const entries = Object.entries(result as Record<string, unknown>).flatMap(([key, value]): Array<[string, string]> => {
    if (isPrimitive(value)) return [[key, typeof value === 'number' ? format.number(value) : String(value)]];
    if (Array.isArray(value) && value.every(isPrimitive)) return [[key, value.map(String).join(', ')]];
    return [];
  });
  if (entries.length === 0) return null;
  return (
    <dl className="result-list" aria-label={t('transcripts.resultTitle')}>
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{t(`transcripts.resultFields.${key}`, { defaultValue: key })}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
