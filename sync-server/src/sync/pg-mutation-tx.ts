/**
 * The shared mutators' view of Postgres during one push: reads go through a per-batch cache, writes
 * take the next version of their space from the push's SpaceWrite (which has locked its row) and
 * are flushed in one statement before commit.
 */
import type { EntityByKind, EntityKind, MutationTx, NewConflict } from '@duet/shared';
import { entityKey, entitySchemas } from '@duet/shared';
import type { EntitiesRepo, EntityRow } from '../store/entities-repo.ts';
import type { SpaceVersions } from '../store/space-writer.ts';

export class PgMutationTx implements MutationTx {
  private readonly cache = new Map<string, EntityRow | null>();
  private readonly dirty = new Map<string, EntityRow>();
  /** Entities already validated (read and parsed once, or written by this batch), by key. */
  private readonly parsed = new Map<string, unknown>();

  constructor(
    private readonly entities: EntitiesRepo,
    private readonly memberSpaces: ReadonlySet<string>,
    private readonly versions: SpaceVersions,
    private readonly personalSpaceOf: (userId: string) => string | undefined,
    /** Ids of the conflict records. */
    private readonly newId: () => string,
    /** Where flush() puts the writes: given, they are handed over (to be written later, in one statement); else written now. */
    private readonly stage?: (rows: readonly EntityRow[]) => void,
  ) {}

  /** Fills the batch's cache with entities read already (refs not among the rows are cached as absent). */
  preload(refs: ReadonlyArray<{ kind: EntityKind; id: string }>, rows: readonly EntityRow[]): void {
    for (const r of refs) this.cache.set(entityKey(r.kind, r.id), null);
    for (const row of rows) this.cache.set(entityKey(row.kind, row.id), row);
  }

  /** Loads these entities into the batch's cache in one query (missing ones are cached as absent). */
  async prefetch(refs: ReadonlyArray<{ kind: EntityKind; id: string }>): Promise<void> {
    const wanted = refs.filter((r) => !this.cache.has(entityKey(r.kind, r.id)));
    if (wanted.length === 0) return;
    for (const r of wanted) this.cache.set(entityKey(r.kind, r.id), null);
    for (const row of await this.entities.getMany(wanted)) this.cache.set(entityKey(row.kind, row.id), row);
  }

  async get<K extends EntityKind>(kind: K, id: string): Promise<EntityByKind[K] | undefined> {
    const key = entityKey(kind, id);
    let row = this.cache.get(key);
    if (row === undefined) {
      row = await this.entities.get(kind, id);
      this.cache.set(key, row);
    }
    if (!row) return undefined;
    if (this.parsed.has(key)) return this.parsed.get(key) as EntityByKind[K] | undefined;
    // Rows were written by this code; parsing guards against a hand-edited or older shape.
    const parsed = entitySchemas[kind].safeParse(row.data);
    let entity = parsed.success ? (parsed.data as EntityByKind[K]) : undefined;
    // Conflicts recorded before they named their space get it from their row (the mutators check it).
    if (entity && kind === 'conflict' && !(entity as { spaceId?: string }).spaceId) entity = { ...entity, spaceId: row.spaceId };
    this.parsed.set(key, entity);
    return entity;
  }

  async put<K extends EntityKind>(kind: K, entity: EntityByKind[K]): Promise<void> {
    const spaceId = kind === 'space' ? entity.id : (entity as { spaceId: string }).spaceId;
    const deleted = kind === 'message' || kind === 'transcript' ? (entity as { deleted?: boolean }).deleted === true : false;
    this.write({ kind, id: entity.id, spaceId, version: 0, deleted, data: entity });
  }

  async isMember(spaceId: string): Promise<boolean> {
    return this.memberSpaces.has(spaceId);
  }

  async recordConflict(conflict: NewConflict): Promise<void> {
    const spaceId = this.personalSpaceOf(conflict.loserUserId);
    if (!spaceId) return;
    const { loserUserId: _loser, ...rest } = conflict;
    const data = { id: this.newId(), ...rest, spaceId };
    this.write({ kind: 'conflict', id: data.id, spaceId, version: 0, deleted: false, data });
  }

  private write(row: EntityRow): void {
    const written = { ...row, version: this.versions.nextVersion(row.spaceId) };
    const key = entityKey(row.kind, row.id);
    this.cache.set(key, written);
    this.parsed.set(key, row.data);
    this.dirty.set(key, written);
  }

  /** Writes (or stages) every entity changed since the last flush. */
  async flush(): Promise<void> {
    const rows = [...this.dirty.values()];
    this.dirty.clear();
    if (this.stage) this.stage(rows);
    else await this.entities.upsertMany(rows);
  }
}
