import { useCallback } from 'react';
import type { MutationArgs, MutationName } from '@duet/shared';
import { useDuetClient } from '../data/index.ts';
import { requestBackgroundSync } from '@duet/client';

/**
 * `client.mutate`, plus: a change made offline registers Background Sync (where the browser has
 * it), so the service worker can wake the page to sync when the connection returns.
 */
export function useMutate(): <N extends MutationName>(name: N, args: MutationArgs<N>) => Promise<void> {
  const client = useDuetClient();
  return useCallback(
    async <N extends MutationName>(name: N, args: MutationArgs<N>) => {
      await client.mutate(name, args);
      if (!navigator.onLine) void requestBackgroundSync();
    },
    [client],
  );
}
