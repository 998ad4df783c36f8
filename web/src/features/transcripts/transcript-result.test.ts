import { describe, expect, it } from 'vitest';
import { parseTranscriptResult } from './transcript-result.ts';
import { formatDuration } from './format-duration.ts';

const result = {
  language: 'en',
  wordCount: 12,
  durationMs: 65_000,
  durationEstimated: false,
  speakers: [
    { name: 'Ana', turns: 2, words: 7, sentiment: 0.25 },
    { name: 'Ben', turns: 1, words: 5, sentiment: null },
  ],
  topWords: [{ word: 'coffee', count: 3 }],
  sentiment: 0.1,
};

describe('parseTranscriptResult', () => {
  it('reads the analysis job result', () => {
    expect(parseTranscriptResult(result)).toEqual(result);
  });

  it('gives null for other shapes', () => {
    expect(parseTranscriptResult(null)).toBeNull();
    expect(parseTranscriptResult({ words: 2 })).toBeNull();
    expect(parseTranscriptResult({ ...result, speakers: [{ name: 'Ana' }] })).toBeNull();
    expect(parseTranscriptResult({ ...result, topWords: 'coffee' })).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '00:00'],
    [999, '00:00'],
    [2_400, '00:02'],
    [65_000, '01:05'],
    [3_725_000, '1:02:05'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
