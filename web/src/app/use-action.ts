import { useCallback, useState } from 'react';
import { useErrorText } from './use-error-text.ts';

/**
 * The busy/error state of a component's action, one hook for every form and button: `run` clears
 * the last error and marks busy; a failure becomes a sentence in the current language (see
 * error-text.ts), `onError` may undo what the component did optimistically, and run resolves
 * undefined.
 */
export interface ActionState {
  busy: boolean;
  /** The last failure in plain words, null when none. */
  error: string | null;
  run: <T>(action: () => Promise<T>, onError?: (error: unknown) => void) => Promise<T | undefined>;
}

export function useAction(): ActionState {
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async <T>(action: () => Promise<T>, onError?: (error: unknown) => void): Promise<T | undefined> => {
      setBusy(true);
      setError(null);
      try {
        return await action();
      } catch (e) {
        setError(errorText(e));
        onError?.(e);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [errorText],
  );
  return { busy, error, run };
}
