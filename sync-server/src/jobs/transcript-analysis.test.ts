// The pure transcript analysis on fixed texts in English, Spanish and Arabic: counts, speakers,
// top words without the language's stop words, sentiment where there is a lexicon, duration.
import { describe, expect, it } from 'vitest';
import { AnalysisError, analyseTranscript, type TranscriptAnalysis } from './transcript-analysis.ts';

const ENGLISH = [
  'Ana: I love the garden. The garden is wonderful and happy today.',
  'Ben: The rain ruined the garden. I hate rain.',
  'Ana: But the rain helps the garden grow.',
].join('\n');

const SPANISH = [
  'Ana: Me gusta mucho la playa y el mar.',
  'Ben: La playa está lejos de la casa, pero el mar es bonito.',
  'Ana: Vamos a la playa el sábado.',
].join('\n');

const ARABIC = ['سارة: أحب القهوة في الصباح.', 'علي: القهوة مع الحليب أفضل من الشاي.', 'سارة: نشرب القهوة معا غدا.'].join('\n');

const topWordsOf = (analysis: TranscriptAnalysis) => analysis.topWords.map((w) => w.word);

function expectAnalysisError(run: () => unknown, reason: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected an AnalysisError').toBeInstanceOf(AnalysisError);
  expect((thrown as AnalysisError).reason).toBe(reason);
}

describe('analyseTranscript', () => {
  describe('English', () => {
    const analysis = analyseTranscript(ENGLISH, 'en', null);

    it('counts every word, speaker names included', () => {
      // 12 + 9 + 8 words on the three lines.
      expect(analysis.language).toBe('en');
      expect(analysis.wordCount).toBe(29);
    });

    it('finds the speakers of "Name: text" lines with their turns and words', () => {
      expect(analysis.speakers.map(({ name, turns, words }) => ({ name, turns, words }))).toEqual([
        { name: 'Ana', turns: 2, words: 18 },
        { name: 'Ben', turns: 1, words: 8 },
      ]);
    });

    it('ranks top words by count then alphabetically, without stop words or speaker names', () => {
      expect(analysis.topWords.slice(0, 3)).toEqual([
        { word: 'garden', count: 4 },
        { word: 'rain', count: 3 },
        { word: 'grow', count: 1 },
      ]);
      const top = topWordsOf(analysis);
      for (const stopWord of ['the', 'and', 'is', 'but', 'i']) expect(top).not.toContain(stopWord);
      expect(top).not.toContain('ana');
      expect(top).not.toContain('ben');
      const singles = analysis.topWords.filter((w) => w.count === 1).map((w) => w.word);
      expect(singles).toEqual([...singles].sort());
    });

    it('scores sentiment as a number, per speaker and overall', () => {
      expect(typeof analysis.sentiment).toBe('number');
      expect(Number.isFinite(analysis.sentiment)).toBe(true);
      const [ana, ben] = analysis.speakers;
      // Ana loves the garden; Ben hates the rain.
      expect(ana?.sentiment).toBeGreaterThan(0);
      expect(ben?.sentiment).toBeLessThan(0);
    });

    it('estimates the duration from the words (150 per minute) when none was recorded', () => {
      expect(analysis.durationEstimated).toBe(true);
      expect(analysis.durationMs).toBe(Math.round((29 / 150) * 60_000));
    });
  });

  describe('Spanish', () => {
    const analysis = analyseTranscript(SPANISH, 'es-MX', 42_000);

    it('reduces the language tag to its language and counts words with accents', () => {
      expect(analysis.language).toBe('es');
      // 9 + 13 + 7 words on the three lines.
      expect(analysis.wordCount).toBe(29);
    });

    it('finds the speakers', () => {
      expect(analysis.speakers.map(({ name, turns, words }) => ({ name, turns, words }))).toEqual([
        { name: 'Ana', turns: 2, words: 14 },
        { name: 'Ben', turns: 1, words: 12 },
      ]);
    });

    it('drops Spanish stop words from the top words', () => {
      expect(analysis.topWords.slice(0, 2)).toEqual([
        { word: 'playa', count: 3 },
        { word: 'mar', count: 2 },
      ]);
      const top = topWordsOf(analysis);
      expect(top).toContain('sábado');
      for (const stopWord of ['la', 'el', 'de', 'y', 'es', 'me', 'pero']) expect(top).not.toContain(stopWord);
    });

    it('has no sentiment (no Spanish lexicon), overall or per speaker', () => {
      expect(analysis.sentiment).toBeNull();
      expect(analysis.speakers.map((s) => s.sentiment)).toEqual([null, null]);
    });

    it('keeps the recorded duration', () => {
      expect(analysis.durationMs).toBe(42_000);
      expect(analysis.durationEstimated).toBe(false);
    });
  });

  describe('Arabic', () => {
    const analysis = analyseTranscript(ARABIC, 'ar', null);

    it('counts Arabic words and finds Arabic speaker names', () => {
      expect(analysis.language).toBe('ar');
      // 5 + 7 + 5 words on the three lines.
      expect(analysis.wordCount).toBe(17);
      expect(analysis.speakers.map(({ name, turns, words }) => ({ name, turns, words }))).toEqual([
        { name: 'سارة', turns: 2, words: 8 },
        { name: 'علي', turns: 1, words: 6 },
      ]);
    });

    it('drops Arabic stop words and speaker names from the top words', () => {
      expect(analysis.topWords[0]).toEqual({ word: 'القهوة', count: 3 });
      const top = topWordsOf(analysis);
      expect(top).toContain('الحليب');
      for (const stopWord of ['في', 'من', 'مع']) expect(top).not.toContain(stopWord);
      expect(top).not.toContain('سارة');
      expect(top).not.toContain('علي');
    });

    it('has no sentiment and an estimated duration', () => {
      expect(analysis.sentiment).toBeNull();
      expect(analysis.speakers.every((s) => s.sentiment === null)).toBe(true);
      expect(analysis.durationEstimated).toBe(true);
      expect(analysis.durationMs).toBe(Math.round((17 / 150) * 60_000));
    });
  });

  it('treats a recorded length of 0 ms as recorded, not missing', () => {
    const analysis = analyseTranscript('Short one.', 'en', 0);
    expect(analysis.durationMs).toBe(0);
    expect(analysis.durationEstimated).toBe(false);
  });

  it('has no speakers in a text without "Name: text" lines, and continuation lines count for the last speaker', () => {
    expect(analyseTranscript('just some words without a speaker', 'en', null).speakers).toEqual([]);
    const continued = analyseTranscript('Ana: first line\nsecond line here\nBen: ok', 'en', null);
    expect(continued.speakers.map(({ name, turns, words }) => ({ name, turns, words }))).toEqual([
      { name: 'Ana', turns: 1, words: 5 },
      { name: 'Ben', turns: 1, words: 1 },
    ]);
  });

  it('is deterministic: the same input gives a deep-equal output', () => {
    for (const [text, language, recorded] of [
      [ENGLISH, 'en', null],
      [SPANISH, 'es', 42_000],
      [ARABIC, 'ar', null],
    ] as const) {
      const first = analyseTranscript(text, language, recorded);
      const second = analyseTranscript(text, language, recorded);
      expect(second).toEqual(first);
      expect(second).not.toBe(first);
      expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    }
  });

  it('throws AnalysisError("empty_text") for a text without words', () => {
    expectAnalysisError(() => analyseTranscript('', 'en', null), 'empty_text');
    expectAnalysisError(() => analyseTranscript('  \n\t  ', 'es', 1000), 'empty_text');
    expectAnalysisError(() => analyseTranscript('... !? —', 'ar', null), 'empty_text');
  });
});
