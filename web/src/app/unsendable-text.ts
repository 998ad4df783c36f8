/**
 * The text copied from the "changes can't be sent" notice: readable lines first (what each change
 * was, when, and its text), then the changes as JSON, so nothing of them is lost.
 */
import type { UnsendableChange } from '../data/index.ts';

type Translate = (key: string, options?: Record<string, unknown>) => string;

/** The person's own words in a change (message body, transcript text, title), if any. */
export function textOfChange(args: unknown): string | null {
  if (typeof args !== 'object' || args === null) return null;
  const record = args as Record<string, unknown>;
  for (const key of ['body', 'text', 'title']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value;
  }
  return null;
}

export function unsendableText(changes: readonly UnsendableChange[], t: Translate, dateTime: (at: number) => string): string {
  const lines = [t('unsendable.copyHeading'), ''];
  for (const change of changes) {
    const what = t(`rejected.what.${change.name}`, { defaultValue: t('rejected.what.other') });
    lines.push(t('unsendable.copyItem', { what, when: dateTime(change.createdAt) }));
    const text = textOfChange(change.args);
    if (text) lines.push(text);
    lines.push('');
  }
  const data = changes.map(({ name, args, createdAt }) => ({ name, args, createdAt: new Date(createdAt).toISOString() }));
  lines.push(JSON.stringify(data, null, 2));
  return lines.join('\n');
}
