import { describe, expect, it } from 'vitest';
import { isStorableText, MAX_TEXT_LENGTH } from '@duet/shared';
import { appendPhrase, startDictation, type Recognition } from './dictation.ts';

class FakeRecognition implements Recognition {
  static last: FakeRecognition | null = null;
  lang = '';
  continuous = false;
  interimResults = true;
  started = false;
  onresult: Recognition['onresult'] = null;
  onerror: Recognition['onerror'] = null;
  onend: Recognition['onend'] = null;
  constructor() {
    FakeRecognition.last = this;
  }
  start() {
    this.started = true;
  }
  stop() {
    this.onend?.();
  }
  hear(results: Array<{ text: string; final: boolean }>, resultIndex = 0) {
    this.onresult?.({ resultIndex, results: results.map((r) => ({ isFinal: r.final, 0: { transcript: r.text } })) });
  }
}

describe('dictation', () => {
  it('hands over final phrases in the chosen language, and says how it ended', () => {
    const phrases: string[] = [];
    const ends: Array<string | null> = [];
    const stop = startDictation(FakeRecognition, 'es-ES', { onPhrase: (p) => phrases.push(p), onEnd: (e) => ends.push(e) });
    const recognition = FakeRecognition.last as FakeRecognition;
    expect(recognition).toMatchObject({ lang: 'es-ES', continuous: true, interimResults: false, started: true });
    recognition.hear([
      { text: ' hola ', final: true },
      { text: 'qué tal', final: false },
    ]);
    recognition.hear(
      [
        { text: 'hola', final: true },
        { text: 'qué tal', final: true },
      ],
      1,
    );
    stop();
    expect(phrases).toEqual(['hola', 'qué tal']);
    expect(ends).toEqual([null]);
  });

  it('reports a real error, but not silence', () => {
    const ends: Array<string | null> = [];
    startDictation(FakeRecognition, 'en', { onPhrase: () => {}, onEnd: (e) => ends.push(e) });
    const quiet = FakeRecognition.last as FakeRecognition;
    quiet.onerror?.({ error: 'no-speech' });
    quiet.stop();
    startDictation(FakeRecognition, 'en', { onPhrase: () => {}, onEnd: (e) => ends.push(e) });
    const denied = FakeRecognition.last as FakeRecognition;
    denied.onerror?.({ error: 'not-allowed' });
    denied.stop();
    expect(ends).toEqual([null, 'not-allowed']);
  });

  it('appends phrases with one space between', () => {
    expect(appendPhrase('', 'Ana: hello')).toBe('Ana: hello');
    expect(appendPhrase('Ana: hello', 'there')).toBe('Ana: hello there');
    expect(appendPhrase('Ana: hello\n', 'Ben: hi')).toBe('Ana: hello\nBen: hi');
  });

  it('stops at the length limit without splitting an emoji', () => {
    // "ab 😀": the limit of 4 falls between the two halves of the emoji.
    const text = appendPhrase('ab', '😀', 4);
    expect(text).toBe('ab ');
    expect(isStorableText(text)).toBe(true);
    expect(appendPhrase('x'.repeat(MAX_TEXT_LENGTH - 2), '👍🏽')).toBe(`${'x'.repeat(MAX_TEXT_LENGTH - 2)} `);
  });
});
