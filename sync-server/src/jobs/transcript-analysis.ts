/**
 * The analysis of a transcript: words, duration, speakers (from "Name: text" lines) with their
 * turns, words and sentiment, and the most frequent meaningful words. Pure and deterministic:
 * the same text and language always give the same result.
 */
import Sentiment from 'sentiment';
import stopwordsIso from 'stopwords-iso';

export interface SpeakerAnalysis {
  name: string;
  turns: number;
  words: number;
  /** AFINN comparative score (sum of word scores / words), or null where the language has no lexicon. */
  sentiment: number | null;
}

export interface TranscriptAnalysis {
  language: string;
  wordCount: number;
  durationMs: number;
  /** True when no recording length was given and the duration is estimated from the words. */
  durationEstimated: boolean;
  speakers: SpeakerAnalysis[];
  topWords: Array<{ word: string; count: number }>;
  sentiment: number | null;
}

export class AnalysisError extends Error {
  constructor(readonly reason: 'empty_text') {
    super(reason);
  }
}

/** Stop-word lists by ISO 639-1 code (stopwords-iso: about 50 languages, en, es and ar among them). */
const STOP_WORDS = stopwordsIso as Record<string, readonly string[] | undefined>;
/** Languages with a sentiment lexicon: the sentiment package ships English (AFINN-165). */
const SENTIMENT_LANGUAGES = new Set(['en']);
const WORDS_PER_MINUTE = 150;
const TOP_WORDS = 10;
const SPEAKER_LINE = /^\s*([\p{L}][\p{L}\p{M}\p{N} .'’-]{0,39}?)\s*:\s+(.*)$/u;
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;

const sentiment = new Sentiment();

export function words(text: string): string[] {
  return text.toLocaleLowerCase().match(WORD) ?? [];
}

function score(text: string, language: string): number | null {
  if (!SENTIMENT_LANGUAGES.has(language)) return null;
  const result = sentiment.analyze(text, { language });
  return Math.round(result.comparative * 1000) / 1000;
}

export function analyseTranscript(text: string, languageTag: string, recordedMs: number | null): TranscriptAnalysis {
  const language = languageTag.toLowerCase().split('-')[0] ?? 'en';
  const all = words(text);
  if (all.length === 0) throw new AnalysisError('empty_text');

  const turns = new Map<string, { turns: number; text: string[] }>();
  let current: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const match = SPEAKER_LINE.exec(line);
    if (match) {
      current = (match[1] ?? '').trim();
      const entry = turns.get(current) ?? { turns: 0, text: [] };
      entry.turns += 1;
      entry.text.push(match[2] ?? '');
      turns.set(current, entry);
    } else if (current && line.trim()) {
      turns.get(current)?.text.push(line);
    }
  }
  const speakers = [...turns].map(([name, entry]) => {
    const spoken = entry.text.join('\n');
    return { name, turns: entry.turns, words: words(spoken).length, sentiment: score(spoken, language) };
  });

  const stop = new Set(STOP_WORDS[language] ?? []);
  const speakerNames = new Set([...turns.keys()].flatMap((n) => words(n)));
  const counts = new Map<string, number>();
  for (const word of all) {
    if (stop.has(word) || speakerNames.has(word) || /^\p{N}+$/u.test(word) || word.length < 2) continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const topWords = [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, TOP_WORDS)
    .map(([word, count]) => ({ word, count }));

  return {
    language,
    wordCount: all.length,
    durationMs: recordedMs ?? Math.round((all.length / WORDS_PER_MINUTE) * 60_000),
    durationEstimated: recordedMs === null,
    speakers,
    topWords,
    sentiment: score(text, language),
  };
}
