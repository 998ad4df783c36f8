/**
 * The app's own UI strings (@duet/web's locale files), resolved the way the app's i18next does
 * for the simple cases page models need: dotted keys, `_one`/`_other` plurals and `{{name}}`
 * interpolation. Page models find elements by these accessible names, so a copy change in the
 * locale file does not break the specs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type Language = 'en' | 'es' | 'ar';
type Dictionary = { [key: string]: string | Dictionary };

// By package name (web/package.json exports its locales), not by a path into web/.
const localeFile = (language: Language) => createRequire(import.meta.url).resolve(`@duet/web/locales/${language}.json`);
const cache = new Map<Language, Dictionary>();

function dictionary(language: Language): Dictionary {
  let dict = cache.get(language);
  if (!dict) {
    dict = JSON.parse(readFileSync(localeFile(language), 'utf8')) as Dictionary;
    cache.set(language, dict);
  }
  return dict;
}

function lookup(dict: Dictionary, key: string): string | undefined {
  let node: string | Dictionary | undefined = dict;
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

export type Vars = Record<string, string | number>;

/** The translated string for `key` in `language`, with `count` choosing the plural form. */
export function uiText(language: Language, key: string, vars: Vars = {}): string {
  const dict = dictionary(language);
  let raw: string | undefined;
  if (typeof vars.count === 'number') {
    const form = new Intl.PluralRules(language).select(vars.count);
    raw = lookup(dict, `${key}_${form}`) ?? lookup(dict, `${key}_other`);
  }
  raw ??= lookup(dict, key);
  if (raw === undefined) throw new Error(`no string ${key} in ${language}.json`);
  return raw.replace(/\{\{\s*(\w+)(?:\s*,\s*(\w+))?\s*\}\}/g, (_, name: string, format?: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`string ${key} needs {{${name}}}`);
    return format === 'number' && typeof value === 'number' ? new Intl.NumberFormat(language).format(value) : String(value);
  });
}

/**
 * A pattern matching `key`'s text in any plural form and with any values in its placeholders,
 * for strings whose numbers a spec cannot know in advance (e.g. "3 changes waiting").
 */
export function uiPattern(language: Language, key: string): RegExp {
  const dict = dictionary(language);
  const forms = ['', '_zero', '_one', '_two', '_few', '_many', '_other']
    .map((suffix) => lookup(dict, `${key}${suffix}`))
    .filter((form): form is string => form !== undefined);
  if (forms.length === 0) throw new Error(`no string ${key} in ${language}.json`);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A number placeholder matches digits of any script and grouping marks; any other, some text.
  const alternatives = forms.map((form) =>
    form
      .split(/(\{\{[^}]*\}\})/)
      .map((part) => (part.startsWith('{{') ? (/,\s*number\s*\}\}$/.test(part) ? '[\\p{Nd},.\\u00a0\\u202f]+' : '.+?') : escape(part)))
      .join(''),
  );
  return new RegExp(`(?:${alternatives.join('|')})`, 'u');
}
