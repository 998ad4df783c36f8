import { useCallback } from 'react';
import type { MutationArgs, MutationName } from '@duet/shared';
import { useDuetClient } from '../data/index.ts';

/** `client.mutate` (which also asks for Background Sync when a change is made offline). */
export function useMutate(): <N extends MutationName>(name: N, args: MutationArgs<N>) => Promise<void> {
  const client = useDuetClient();
  return useCallback(<N extends MutationName>(name: N, args: MutationArgs<N>) => client.mutate(name, args), [client]);
}
