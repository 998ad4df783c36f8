/**
 * Near a text limit (from 90 % of it), how many characters are used of how many; after a paste or
 * typing went past it, that the rest was left out. Announced politely, tied to its field by id.
 */
import { useTranslation } from 'react-i18next';

export const NEAR_LIMIT = 0.9;

export function LengthHint({ id, length, limit, cut }: { id: string; length: number; limit: number; cut: boolean }) {
  const { t } = useTranslation();
  const near = length >= limit * NEAR_LIMIT;
  return (
    <p id={id} className={`length-hint${cut ? ' length-hint--cut' : ''}`} role="status">
      {cut ? `${t('limits.cut', { max: limit })} ` : ''}
      {near || cut ? t('limits.counter', { count: length, max: limit }) : ''}
    </p>
  );
}
