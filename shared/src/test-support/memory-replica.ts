/**
 * One replica of the synced state held in a Map, for tests of the mutators: it implements
 * MutationTx for a given user, with space membership fixed up front.
 */
import { entityKey, type EntityByKind, type EntityKind } from '../entities.ts';
import type { MutationTx, NewConflict } from '../mutators.ts';

export class MemoryReplica {
  readonly conflicts: NewConflict[] = [];
  private readonly rows = new Map<string, unknown>();
  private readonly members: Readonly<Record<string, readonly string[]>>;

  /** `members` maps each space id to the ids of its members. */
  constructor(members: Readonly<Record<string, readonly string[]>>) {
    this.members = members;
  }

  /** A transaction acting as `userId`. Reads and writes copy, so no caller can alias stored state. */
  txFor(userId: string): MutationTx {
    return {
      get: async <K extends EntityKind>(kind: K, id: string) => {
        const row = this.rows.get(entityKey(kind, id));
        return row === undefined ? undefined : (structuredClone(row) as EntityByKind[K]);
      },
      put: async <K extends EntityKind>(kind: K, entity: EntityByKind[K]) => {
        this.rows.set(entityKey(kind, entity.id), structuredClone(entity));
      },
      isMember: async (spaceId: string) => this.members[spaceId]?.includes(userId) ?? false,
      recordConflict: async (conflict: NewConflict) => {
        this.conflicts.push(conflict);
      },
    };
  }

  read<K extends EntityKind>(kind: K, id: string): EntityByKind[K] | undefined {
    return this.rows.get(entityKey(kind, id)) as EntityByKind[K] | undefined;
  }

  /** Every stored entity by "kind/id", in key order, for comparing replicas. */
  snapshot(): Record<string, unknown> {
    return Object.fromEntries([...this.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
