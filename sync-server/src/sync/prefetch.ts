/** The entities a batch of mutations will read, so a push can load them in one query. */
import { entityKey, type EntityKind, type Mutation } from '@duet/shared';

export function referencedEntities(mutations: readonly Mutation[]): Array<{ kind: EntityKind; id: string }> {
  const refs = new Map<string, { kind: EntityKind; id: string }>();
  const add = (kind: EntityKind, id: string | undefined) => {
    if (id !== undefined) refs.set(entityKey(kind, id), { kind, id });
  };
  for (const m of mutations) {
    const [kind] = m.name.split('.') as [string];
    if (kind === 'conversation' || kind === 'message' || kind === 'session' || kind === 'transcript' || kind === 'conflict')
      add(kind, m.args.id);
    if (m.name === 'message.add') add('conversation', m.args.conversationId);
    if (m.name === 'transcript.create') add('conversation', m.args.conversationId);
  }
  return [...refs.values()];
}
