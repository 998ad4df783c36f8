/**
 * Dictation with the browser's speech recognition (Web Speech API), where it has one: recognised
 * phrases are handed over as they become final. Framework-free; the recogniser is injected.
 */
import { cutAtGrapheme, MAX_TEXT_LENGTH } from '@duet/shared';

interface RecognitionResult {
  readonly isFinal: boolean;
  readonly 0?: { transcript: string };
}

interface RecognitionEvent {
  readonly resultIndex: number;
  readonly results: ArrayLike<RecognitionResult>;
}

export interface Recognition {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  onresult: ((event: RecognitionEvent) => void) | null;
  onerror: ((event: { error: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
}

export type RecognitionConstructor = new () => Recognition;

/** The browser's recogniser, if it has one (Chromium names it webkitSpeechRecognition). */
export function browserRecognition(): RecognitionConstructor | null {
  const scope = globalThis as unknown as { SpeechRecognition?: RecognitionConstructor; webkitSpeechRecognition?: RecognitionConstructor };
  return scope.SpeechRecognition ?? scope.webkitSpeechRecognition ?? null;
}

export interface DictationHandlers {
  /** A phrase the recogniser is sure of. */
  onPhrase(text: string): void;
  /** Dictation stopped: by stop(), by silence, or with an error code. */
  onEnd(error: string | null): void;
}

/** Starts dictating in `language` (a BCP 47 tag); returns a function that stops it. */
export function startDictation(Ctor: RecognitionConstructor, language: string, handlers: DictationHandlers): () => void {
  const recognition = new Ctor();
  recognition.lang = language;
  recognition.continuous = true;
  recognition.interimResults = false;
  let error: string | null = null;
  recognition.onresult = (event) => {
    for (let i = event.resultIndex; i < event.results.length; i++) {
      const result = event.results[i];
      const phrase = result?.[0]?.transcript.trim();
      if (result?.isFinal && phrase) handlers.onPhrase(phrase);
    }
  };
  recognition.onerror = (event) => {
    // "no-speech" and "aborted" are how a quiet or stopped session ends, not failures.
    if (event.error !== 'no-speech' && event.error !== 'aborted') error = event.error;
  };
  recognition.onend = () => handlers.onEnd(error);
  recognition.start();
  return () => recognition.stop();
}

/**
 * Appends a dictated phrase to the text so far, with a space between, kept within `maxLength`
 * UTF-16 units; the cut falls between graphemes, as a half emoji is a lone surrogate the server refuses.
 */
export function appendPhrase(text: string, phrase: string, maxLength = MAX_TEXT_LENGTH): string {
  const joined = !text ? phrase : /\s$/.test(text) ? text + phrase : `${text} ${phrase}`;
  return cutAtGrapheme(joined, maxLength);
}
