/**
 * A small in-memory sync server for unit tests, built from the shared mutators: push with
 * duplicate / out_of_order / rejected semantics, paged pull with a numeric cursor, reset for an
 * unknown cursor, space removal, and failure injection. Not a model of the real server's storage.
 */
import { applyMutation, classifyPush, entityKey, entitySchemas, ErrorCode, newId } from '@duet/shared';
import type {
  Change,
  EntityByKind,
  EntityKind,
  Mutation,
  MutationTx,
  NewConflict,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse,
  Space,
} from '@duet/shared';
import { ApiError } from '../../api/errors.ts';
import type { SyncTransport } from '../transport.ts';

interface StoredEntity {
  kind: EntityKind;
  id: string;
  version: number;
  data: EntityByKind[EntityKind];
  visibleTo: (userId: string) => boolean;
}

export class FakeServer implements SyncTransport {
  readonly entities = new Map<string, StoredEntity>();
  readonly lastMutationIds = new Map<string, number>();
  readonly tokens = new Map<string, string>();
  readonly pushes: PushRequest[] = [];
  /** Thrown by the next calls, in order, instead of answering. */
  readonly failures: ApiError[] = [];
  /** A push holding a mutation this matches fails with 500 internal (a server bug), applying nothing. */
  failsOn: ((mutation: PushRequest['mutations'][number]) => boolean) | null = null;
  #removed: Array<{ userId: string; spaceId: string; version: number }> = [];
  #version = 0;
  now = 1_763_980_000_000;

  addUser(userId: string, token = `token-${userId}`): { token: string; personalSpaceId: string } {
    this.tokens.set(token, userId);
    const personalSpaceId = `personal-${userId}`;
    this.putSpace({ id: personalSpaceId, kind: 'personal', members: [{ userId, displayName: userId }] });
    return { token, personalSpaceId };
  }

  putSpace(space: Space): void {
    this.#store('space', space);
  }

  /** A notification the server made (it lives in its recipient's personal space). */
  putNotification(notification: EntityByKind['notification']): void {
    this.#store('notification', notification);
  }

  /** The user leaves the space: their pulls then deliver {kind: 'space', deleted: true}. */
  removeMember(spaceId: string, userId: string): void {
    const space = this.entities.get(entityKey('space', spaceId))?.data as Space | undefined;
    if (!space) return;
    this.#store('space', { ...space, members: space.members.filter((m) => m.userId !== userId) });
    this.#removed.push({ userId, spaceId, version: ++this.#version });
  }

  entity<K extends EntityKind>(kind: K, id: string): EntityByKind[K] | undefined {
    return this.entities.get(entityKey(kind, id))?.data as EntityByKind[K] | undefined;
  }

  #isMember(spaceId: string, userId: string): boolean {
    const space = this.entities.get(entityKey('space', spaceId))?.data as Space | undefined;
    return space?.members.some((m) => m.userId === userId) ?? false;
  }

  #store(kind: EntityKind, data: EntityByKind[EntityKind], loser?: string): void {
    const spaceId = kind === 'space' ? data.id : (data as { spaceId?: string }).spaceId;
    const visibleTo =
      kind === 'conflict'
        ? (userId: string) => userId === loser
        : (userId: string) => spaceId !== undefined && this.#isMember(spaceId, userId);
    this.entities.set(entityKey(kind, data.id), { kind, id: data.id, version: ++this.#version, data: structuredClone(data), visibleTo });
  }

  #user(token: string): string {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const userId = this.tokens.get(token);
    if (!userId) throw new ApiError({ code: ErrorCode.unauthorized, status: 401 });
    return userId;
  }

  /** Applies a mutation as another device of `userId` (a partner's edit), outside any client's ids. */
  async applyAs(userId: string, mutation: Omit<Mutation, 'id'>): Promise<void> {
    await applyMutation(this.#tx(userId), { ...mutation, id: 0 } as Mutation, this.#ctx(userId));
  }

  #ctx(userId: string) {
    return { userId, personalSpaceId: `personal-${userId}`, now: this.now };
  }

  #tx(userId: string): MutationTx {
    return {
      get: async <K extends EntityKind>(kind: K, id: string) => {
        const data = this.entities.get(entityKey(kind, id))?.data;
        return data === undefined ? undefined : (structuredClone(data) as EntityByKind[K]);
      },
      put: async (kind, entity) => this.#store(kind, entity),
      isMember: async (spaceId) => this.#isMember(spaceId, userId),
      recordConflict: async (conflict: NewConflict) => {
        const { loserUserId, ...rest } = conflict;
        this.#store('conflict', { id: newId(this.now), ...rest }, loserUserId);
      },
    };
  }

  async push(token: string, body: PushRequest): Promise<PushResponse> {
    const userId = this.#user(token);
    this.pushes.push(structuredClone(body));
    if (this.failsOn && body.mutations.some(this.failsOn)) throw new ApiError({ code: ErrorCode.internal, status: 500 });
    const response = await classifyPush(this.lastMutationIds.get(body.clientId) ?? 0, body.mutations, {
      apply: (mutation) => applyMutation(this.#tx(userId), mutation, this.#ctx(userId)),
    });
    this.lastMutationIds.set(body.clientId, response.lastMutationId);
    return response;
  }

  async pull(token: string, body: PullRequest): Promise<PullResponse> {
    const userId = this.#user(token);
    const parsedCursor = body.cursor === null ? 0 : /^\d+$/.test(body.cursor) ? Number(body.cursor) : null;
    const reset = parsedCursor === null || parsedCursor > this.#version;
    const since = reset ? 0 : parsedCursor;
    const limit = body.limit ?? 500;
    const visible: Change[] = [];
    for (const e of this.entities.values()) {
      if (e.version > since && e.visibleTo(userId))
        visible.push({
          kind: e.kind,
          id: e.id,
          version: e.version,
          deleted: e.kind === 'message' && (e.data as EntityByKind['message']).deleted,
          data: e.data,
        });
    }
    for (const r of this.#removed) {
      if (r.userId === userId && r.version > since)
        visible.push({ kind: 'space', id: r.spaceId, version: r.version, deleted: true, data: null });
    }
    visible.sort((a, b) => a.version - b.version);
    const changes = visible.slice(0, limit);
    const hasMore = visible.length > limit;
    const cursor = hasMore ? String(changes[changes.length - 1]?.version ?? since) : String(this.#version);
    return {
      cursor,
      changes,
      hasMore,
      serverTime: this.now,
      lastMutationId: this.lastMutationIds.get(body.clientId) ?? 0,
      ...(reset && body.cursor !== null ? { reset: true } : {}),
    };
  }
}

/** Validates that a value is a well-formed entity, for assertions. */
export function isEntity(kind: EntityKind, value: unknown): boolean {
  return entitySchemas[kind].safeParse(value).success;
}
