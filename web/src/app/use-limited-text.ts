/**
 * Text with a length limit, cut between graphemes (never in the middle of an emoji) instead of by
 * the browser's maxLength, which cuts silently: `cut` says the last change was too long, so the
 * field can say what happened (see LengthHint).
 */
import { useCallback, useState } from 'react';
import { cutAtGrapheme } from '@duet/shared';

export interface LimitedText {
  value: string;
  /** The last change went past the limit and was cut. */
  cut: boolean;
  setValue: (next: string | ((current: string) => string)) => void;
}

export function useLimitedText(limit: number, initial = ''): LimitedText {
  const [state, setState] = useState({ value: cutAtGrapheme(initial, limit), cut: false });
  const setValue = useCallback(
    (next: string | ((current: string) => string)) =>
      setState((state) => {
        const value = typeof next === 'function' ? next(state.value) : next;
        return value.length > limit ? { value: cutAtGrapheme(value, limit), cut: true } : { value, cut: false };
      }),
    [limit],
  );
  return { value: state.value, cut: state.cut, setValue };
}
