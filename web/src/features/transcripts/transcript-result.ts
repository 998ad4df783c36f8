/**
 * The processing result as the server's analysis job writes it (sync-server/src/jobs/
 * transcript-analysis.ts). The entity types it `unknown`, so it is checked here before it is
 * shown; a result of another shape gives null.
 */

export interface SpeakerResult {
  name: string;
  turns: number;
  words: number;
  sentiment: number | null;
}

export interface TranscriptResultView {
  language: string;
  wordCount: number;
  durationMs: number;
  durationEstimated: boolean;
  speakers: SpeakerResult[];
  topWords: Array<{ word: string; count: number }>;
  sentiment: number | null;
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isScore = (value: unknown): value is number | null => value === null || isNumber(value);

function speaker(value: unknown): SpeakerResult | null {
  if (!isObject(value) || typeof value.name !== 'string' || !isNumber(value.turns) || !isNumber(value.words) || !isScore(value.sentiment)) return null;
  return { name: value.name, turns: value.turns, words: value.words, sentiment: value.sentiment };
}

function topWord(value: unknown): { word: string; count: number } | null {
  if (!isObject(value) || typeof value.word !== 'string' || !isNumber(value.count)) return null;
  return { word: value.word, count: value.count };
}

function all<T>(values: unknown, parse: (value: unknown) => T | null): T[] | null {
  if (!Array.isArray(values)) return null;
  const parsed = values.map(parse);
  return parsed.every((p): p is T => p !== null) ? parsed : null;
}

export function parseTranscriptResult(value: unknown): TranscriptResultView | null {
  if (!isObject(value)) return null;
  const speakers = all(value.speakers ?? [], speaker);
  const topWords = all(value.topWords ?? [], topWord);
  if (!isNumber(value.wordCount) || !isNumber(value.durationMs) || !speakers || !topWords) return null;
  return {
    language: typeof value.language === 'string' ? value.language : '',
    wordCount: value.wordCount,
    durationMs: value.durationMs,
    durationEstimated: value.durationEstimated === true,
    speakers,
    topWords,
    sentiment: isScore(value.sentiment) ? value.sentiment : null,
  };
}
