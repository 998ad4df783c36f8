/**
 * A minimal sync client for black-box tests: numbers its mutations, keeps an hlc, keeps an outbox,
 * and materialises the server state it pulls (changes applied by kind and id).
 */
import { expect } from 'vitest';
import {
  createHlc,
  entitySchemas,
  formatHlc,
  newId,
  receiveHlc,
  tickHlc,
  type Change,
  type EntityByKind,
  type EntityKind,
  type Hlc,
  type PullResponse,
  type PushResponse,
} from '@duet/shared';
import { pull, push, type Envelope, type HasUrl } from './api.ts';

/** Server state as a client holds it: the latest change of each `kind:id`. */
export type ServerState = Map<string, Change>;

export const keyOf = (kind: string, id: string) => `${kind}:${id}`;

/** Applies one pull page to a materialised state, as the protocol tells clients to. */
export function applyPage(state: ServerState, page: PullResponse, firstPage: boolean): void {
  if (page.reset === true) {
    expect(firstPage, 'reset only answers the first page of a catch-up').toBe(true);
    state.clear();
  }
  for (const change of page.changes) {
    if (change.kind === 'space' && change.deleted) {
      // A lost space: drop it and everything in it.
      state.delete(keyOf('space', change.id));
      for (const [key, held] of state) {
        const spaceId = (held.data as { spaceId?: unknown } | null)?.spaceId;
        if (spaceId === change.id) state.delete(key);
      }
      continue;
    }
    state.set(keyOf(change.kind, change.id), change);
  }
}

export interface CatchUp {
  cursor: string;
  pages: PullResponse[];
  lastMutationId: number;
}

/** Pulls until hasMore is false, applying every page to `state`. */
export async function pullToEnd(
  server: HasUrl,
  token: string,
  clientId: string,
  cursor: string | null,
  state: ServerState,
  limit?: number,
): Promise<CatchUp> {
  const pages: PullResponse[] = [];
  let current = cursor;
  for (let i = 0; i < 10_000; i++) {
    const body: { clientId: string; cursor: string | null; limit?: number } = { clientId, cursor: current };
    if (limit !== undefined) body.limit = limit;
    const page = await pull(server, token, body);
    if (limit !== undefined) expect(page.changes.length).toBeLessThanOrEqual(limit);
    applyPage(state, page, i === 0);
    pages.push(page);
    current = page.cursor;
    if (!page.hasMore) return { cursor: page.cursor, pages, lastMutationId: page.lastMutationId };
  }
  throw new Error('pull never reached hasMore: false');
}

/** The whole state the user can see, by a brand-new client pulling from the beginning. */
export async function freshState(server: HasUrl, token: string, limit?: number): Promise<ServerState> {
  const state: ServerState = new Map();
  await pullToEnd(server, token, `fresh-${newId()}`, null, state, limit);
  return state;
}

/** A comparable, ordered view of a state (for toEqual with a readable diff). */
export function snapshot(state: ServerState): Record<string, { version: number; deleted: boolean; data: unknown }> {
  const out: Record<string, { version: number; deleted: boolean; data: unknown }> = {};
  for (const key of [...state.keys()].sort()) {
    const c = state.get(key) as Change;
    out[key] = { version: c.version, deleted: c.deleted, data: c.data };
  }
  return out;
}

/** The entity of a kind and id in a state, checked against its schema; undefined if absent. */
export function entityIn<K extends EntityKind>(state: ServerState, kind: K, id: string): EntityByKind[K] | undefined {
  const change = state.get(keyOf(kind, id));
  if (!change) return undefined;
  return entitySchemas[kind].parse(change.data) as EntityByKind[K];
}

export function entitiesOf<K extends EntityKind>(state: ServerState, kind: K): EntityByKind[K][] {
  return [...state.values()].filter((c) => c.kind === kind).map((c) => entitySchemas[kind].parse(c.data) as EntityByKind[K]);
}

export function changesOf(pages: readonly PullResponse[]): Change[] {
  return pages.flatMap((p) => p.changes);
}

/** One local store: an outbox of numbered mutations, an hlc, a cursor and the pulled state. */
export class SyncClient {
  readonly state: ServerState = new Map();
  cursor: string | null = null;
  outbox: Envelope[] = [];
  lastMutationId = 0;
  private clock: Hlc;
  private nextMutationId = 1;

  constructor(
    readonly server: HasUrl,
    readonly token: string,
    readonly clientId: string = newId(),
    private readonly now: () => number = Date.now,
  ) {
    this.clock = createHlc(clientId);
  }

  /** The next hlc of this client's clock. */
  tick(): string {
    this.clock = tickHlc(this.clock, this.now());
    return formatHlc(this.clock);
  }

  /** Numbers a mutation and appends it to the outbox (hlc from the clock unless given). */
  mutate(name: string, args: unknown, hlc?: string): Envelope {
    const envelope: Envelope = { id: this.nextMutationId++, name, args, hlc: hlc ?? this.tick() };
    this.outbox.push(envelope);
    return envelope;
  }

  /** Pushes the given mutations (default: the whole outbox) and drops what the server processed. */
  async push(mutations: Envelope[] = this.outbox): Promise<PushResponse> {
    const response = await push(this.server, this.token, this.clientId, mutations);
    this.acknowledge(response.lastMutationId);
    return response;
  }

  /** Pulls to the end from this client's cursor, into its state. */
  async pull(limit?: number): Promise<CatchUp> {
    const result = await pullToEnd(this.server, this.token, this.clientId, this.cursor, this.state, limit);
    this.cursor = result.cursor;
    const last = result.pages[result.pages.length - 1];
    if (last) this.clock = receiveHlc(this.clock, last.serverTime, this.now());
    this.acknowledge(result.lastMutationId);
    return result;
  }

  private acknowledge(lastMutationId: number): void {
    this.lastMutationId = Math.max(this.lastMutationId, lastMutationId);
    this.outbox = this.outbox.filter((m) => m.id > this.lastMutationId);
  }
}

/** An hlc string at a given wall time (ms). */
export function hlcAt(wall: number, clientId: string, counter = 0): string {
  return formatHlc({ wall: Math.floor(wall), counter, clientId });
}
