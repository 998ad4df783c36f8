import { useEffect, useState } from 'react';
import { LocalSearch, type SearchHit } from '@duet/client';
import { useDuetClient, type DuetClient } from '../../data/index.ts';

// One index per client, kept while the app runs: leaving and reopening search costs nothing.
const indexes = new WeakMap<DuetClient, LocalSearch>();

function searchOf(client: DuetClient): LocalSearch {
  let search = indexes.get(client);
  if (!search) {
    search = new LocalSearch({ read: (fn) => client.engine.read(fn), onLocalChange: (l) => client.onLocalChange(l) });
    indexes.set(client, search);
  }
  return search;
}

export type SearchState =
  { state: 'idle' } | { state: 'searching' } | { state: 'done'; hits: SearchHit[]; query: string } | { state: 'failed' };

/** Searches this device as the person types (a short pause first); results follow local changes. */
export function useLocalSearch(query: string): SearchState {
  const client = useDuetClient();
  const [result, setResult] = useState<SearchState>({ state: 'idle' });
  const [changes, setChanges] = useState(0);

  useEffect(
    () =>
      client.onLocalChange((stores) => {
        if (stores.some((s) => s === 'messages' || s === 'transcripts' || s === 'conversations')) setChanges((n) => n + 1);
      }),
    [client],
  );

  useEffect(() => {
    const trimmed = query.trim();
    if (trimmed === '') {
      setResult({ state: 'idle' });
      return;
    }
    let current = true;
    setResult((previous) => (previous.state === 'done' ? previous : { state: 'searching' }));
    const timer = setTimeout(() => {
      searchOf(client)
        .search(trimmed)
        .then(
          (hits) => current && setResult({ state: 'done', hits, query: trimmed }),
          () => current && setResult({ state: 'failed' }),
        );
    }, 80);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, query, changes]);

  return result;
}
