/**
 * Concurrent load for the fault tests, and the checks every fault must pass (issue 9, section 7):
 * writers push numbered messages through whichever instance is next (a load balancer's round
 * robin), readers pull from their cursors all along, every request is timed and bounded, and
 * afterwards: every acknowledged write is there exactly once, no incremental reader skipped a
 * change, every client converged, lastMutationId never went back, no request hung past the bound.
 * Nothing here uses `expect` while the load runs: outcomes are recorded, then checked in one place.
 */
import { expect } from 'vitest';
import { ErrorBodySchema, PullResponseSchema, PushResponseSchema, newId, type PullResponse } from '@duet/shared';
import type { Account } from './accounts.ts';
import { sleep, type Envelope } from './api.ts';
import { applyPage, changesOf, hlcAt, keyOf, snapshot, type ServerState } from './sync-client.ts';

/** No request may take longer than this, whatever the fault (the bound the issue asks for). */
export const HANG_BOUND_MS = 15_000;
/** The test's own give-up, well past the bound, so a hang is recorded instead of blocking the test. */
const ABORT_MS = 40_000;
/** Answers a fault may legitimately cause (anything else is a finding). */
const TRANSIENT = new Set([429, 503]);

/** One instance of the deployment as clients address it; `url` changes when it is restarted. */
export interface Target {
  name: string;
  url: string;
}

export interface RequestRecord {
  target: string;
  path: string;
  client: string;
  startedAt: number;
  ms: number;
  /** HTTP status, or 0 for a network error (refused, reset, aborted). */
  status: number;
  error?: string;
  code?: string;
}

/** Everything that happened during one run. */
export class FaultLog {
  readonly requests: RequestRecord[] = [];
  /** Broken promises found while the load ran (a rejected mutation, an error body of the wrong shape). */
  readonly violations: string[] = [];

  firstSuccessAfter(time: number, path: string, target?: string): RequestRecord | undefined {
    return this.requests
      .filter((r) => r.status === 200 && r.path === path && r.startedAt >= time && (target === undefined || r.target === target))
      .sort((a, b) => a.startedAt + a.ms - (b.startedAt + b.ms))[0];
  }

  summary(): string {
    const byStatus = new Map<string, number>();
    for (const r of this.requests) byStatus.set(String(r.status), (byStatus.get(String(r.status)) ?? 0) + 1);
    const slowest = Math.max(0, ...this.requests.map((r) => r.ms));
    return `${this.requests.length} requests, by status ${JSON.stringify(Object.fromEntries(byStatus))}, slowest ${slowest.toFixed(0)} ms`;
  }
}

/** One HTTP call, timed, never throwing: a network error is status 0. */
export async function call(log: FaultLog, target: Target, client: string, path: string, token: string, body: unknown) {
  const startedAt = Date.now();
  const record: RequestRecord = { target: target.name, path, client, startedAt, ms: 0, status: 0 };
  let json: unknown;
  let retryAfter: string | null = null;
  try {
    const res = await fetch(`${target.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(ABORT_MS),
    });
    record.status = res.status;
    retryAfter = res.headers.get('retry-after');
    const text = await res.text();
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
  } catch (error) {
    record.error = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
  }
  record.ms = Date.now() - startedAt;
  if (record.status !== 0 && record.status !== 200) {
    const parsed = ErrorBodySchema.safeParse(json);
    if (parsed.success) record.code = parsed.data.error.code;
    if (!TRANSIENT.has(record.status) || !parsed.success) {
      log.violations.push(`${path} on ${target.name} answered ${record.status} ${JSON.stringify(json).slice(0, 300)}`);
    }
  }
  log.requests.push(record);
  const source = `${path.split('/').pop()} on ${target.name} at +${startedAt - (log.requests[0]?.startedAt ?? startedAt)} ms`;
  return { status: record.status, json, retryAfterSec: retryAfter === null ? null : Number(retryAfter), source };
}

/**
 * A device: an outbox of `message.add`s to its conversation, a cursor, the pulled state, and every
 * lastMutationId it was told, in order. A reader is a client that never writes.
 */
export class FaultClient {
  readonly clientId: string;
  readonly state: ServerState = new Map();
  cursor: string | null = null;
  /** Every message this client queued (id → body), and the ones a 200 acknowledged. */
  readonly sent = new Map<string, string>();
  readonly acked = new Map<string, string>();
  readonly lastMutationIds: number[] = [];
  /** Where each of lastMutationIds came from (`push on A, 1234 ms`), for the failure message. */
  readonly lastMutationSources: string[] = [];
  private outbox: Envelope[] = [];
  private nextMutationId = 1;
  /** The message each mutation id of this client creates, to check what a lastMutationId claims. */
  private readonly messageOfMutation = new Map<number, string>();
  /** Pushes and pulls each go round the instances on their own, so both reach every instance. */
  private readonly turns: Record<'push' | 'pull', number>;
  private counter = 0;

  constructor(
    readonly name: string,
    readonly who: Account,
    private readonly targets: readonly Target[],
    private readonly log: FaultLog,
    readonly conversationId: string | null,
  ) {
    this.clientId = `${name}-${newId()}`;
    const start = Math.floor(Math.random() * targets.length);
    this.turns = { push: start, pull: start + 1 };
  }

  get pending(): number {
    return this.outbox.length;
  }

  private next(kind: 'push' | 'pull'): Target {
    return this.targets[this.turns[kind]++ % this.targets.length] as Target;
  }

  /** Queues `count` new messages. */
  write(count: number): void {
    if (!this.conversationId) throw new Error(`${this.name} is a reader`);
    for (let i = 0; i < count; i++) {
      const id = newId();
      const body = `${this.name} #${++this.counter}`;
      const mutationId = this.nextMutationId++;
      this.outbox.push({
        id: mutationId,
        name: 'message.add',
        args: { id, conversationId: this.conversationId, body },
        hlc: hlcAt(Date.now(), this.clientId, mutationId),
      });
      this.sent.set(id, body);
      this.messageOfMutation.set(mutationId, id);
    }
  }

  /** Pushes the outbox (up to 50) once; true on a 200. */
  async push(): Promise<boolean> {
    const batch = this.outbox.slice(0, 50);
    if (batch.length === 0) return true;
    const answer = await call(this.log, this.next('push'), this.name, '/api/sync/push', this.who.token, {
      clientId: this.clientId,
      mutations: batch,
    });
    if (answer.status !== 200) return this.backOff(answer.retryAfterSec);
    const parsed = PushResponseSchema.safeParse(answer.json);
    if (!parsed.success) {
      this.log.violations.push(`push answer of ${this.name} does not match the schema: ${JSON.stringify(answer.json).slice(0, 300)}`);
      return false;
    }
    const byId = new Map(batch.map((m) => [m.id, m]));
    for (const result of parsed.data.results) {
      const mutation = byId.get(result.id);
      const args = mutation?.args as { id: string; body: string } | undefined;
      if (!args) continue;
      // `duplicate`: applied by an earlier request whose answer never arrived.
      if (result.status === 'applied' || result.status === 'duplicate') this.acked.set(args.id, args.body);
      else if (result.status === 'rejected')
        this.log.violations.push(`${this.name}: mutation ${result.id} rejected: ${JSON.stringify(result.error)}`);
    }
    this.noteLastMutationId(parsed.data.lastMutationId, answer.source);
    return true;
  }

  /** Pulls one page from the cursor; true on a 200 with hasMore false. */
  async pullPage(): Promise<boolean> {
    const answer = await call(this.log, this.next('pull'), this.name, '/api/sync/pull', this.who.token, {
      clientId: this.clientId,
      cursor: this.cursor,
    });
    if (answer.status !== 200) {
      await this.backOff(answer.retryAfterSec);
      return false;
    }
    const parsed = PullResponseSchema.safeParse(answer.json);
    if (!parsed.success) {
      this.log.violations.push(`pull answer of ${this.name} does not match the schema: ${JSON.stringify(answer.json).slice(0, 300)}`);
      return false;
    }
    const page: PullResponse = parsed.data;
    if (page.reset === true) this.log.violations.push(`${this.name}: a pull with a good cursor answered reset`);
    applyPage(this.state, page, this.cursor === null);
    this.cursor = page.cursor;
    this.noteLastMutationId(page.lastMutationId, answer.source);
    // The protocol's promise: once hasMore is false, the pulled state includes every mutation up to lastMutationId.
    if (!page.hasMore) {
      const missing = [...this.messageOfMutation].filter(
        ([mid, id]) => mid <= page.lastMutationId && !this.state.has(keyOf('message', id)),
      );
      if (missing.length > 0) {
        this.log.violations.push(
          `${this.name}: a pull (${answer.source}) said lastMutationId ${page.lastMutationId} without the change of mutation ${missing[0]?.[0]}`,
        );
      }
    }
    return !page.hasMore;
  }

  private noteLastMutationId(value: number, source: string): void {
    this.lastMutationIds.push(value);
    this.lastMutationSources.push(source);
    // Covered by lastMutationId: processed, even if the answer to its push was lost (an instance
    // killed after the commit); the catch-up check then finds it applied.
    for (const m of this.outbox) {
      const args = m.args as { id: string; body: string };
      if (m.id <= value) this.acked.set(args.id, args.body);
    }
    this.outbox = this.outbox.filter((m) => m.id > value);
  }

  private async backOff(retryAfterSec: number | null): Promise<false> {
    await sleep(retryAfterSec !== null && Number.isFinite(retryAfterSec) ? Math.min(retryAfterSec * 1000, 2000) : 100);
    return false;
  }

  /** One step of load: writers queue and push, then everyone pulls a page. */
  async step(): Promise<void> {
    if (this.conversationId) {
      this.write(1 + Math.floor(Math.random() * 3));
      await this.push();
    }
    await this.pullPage();
  }

  /** After the fault, first: push until the outbox is empty, within `deadline`. */
  async flush(deadline: number): Promise<void> {
    while (this.outbox.length > 0) {
      if (Date.now() > deadline)
        throw new Error(`${this.name} could not push its outbox (${this.outbox.length} left): ${this.log.summary()}`);
      await this.push();
    }
  }

  /** After every client has flushed: pull to the end, within `deadline`. */
  async pullToEnd(deadline: number): Promise<void> {
    while (!(await this.pullPage())) {
      if (Date.now() > deadline) throw new Error(`${this.name} could not pull to the end: ${this.log.summary()}`);
    }
  }
}

/** Runs every client's steps concurrently until `stop()` resolves; each client is one device, one request at a time. */
export async function runLoad(clients: readonly FaultClient[], stop: Promise<void>, paceMs = 15): Promise<void> {
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  await Promise.all(
    clients.map(async (client) => {
      while (!stopped) {
        await client.step();
        await sleep(paceMs);
      }
    }),
  );
}

/** A full catch-up from the beginning by a new client, with every page kept (for exactly-once counts). */
export async function freshPull(log: FaultLog, target: Target, who: Account): Promise<{ state: ServerState; pages: PullResponse[] }> {
  const state: ServerState = new Map();
  const pages: PullResponse[] = [];
  const clientId = `fresh-${newId()}`;
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const answer = await call(log, target, 'fresh', '/api/sync/pull', who.token, { clientId, cursor });
    expect(answer.status, `fresh pull on ${target.name}: ${JSON.stringify(answer.json).slice(0, 300)}`).toBe(200);
    const page = PullResponseSchema.parse(answer.json);
    applyPage(state, page, i === 0);
    pages.push(page);
    cursor = page.cursor;
    if (!page.hasMore) return { state, pages };
  }
  throw new Error('fresh pull never reached hasMore: false');
}

/** The checks every fault must pass, once the load has settled. */
export async function checkInvariants(log: FaultLog, clients: readonly FaultClient[], targets: readonly Target[]): Promise<void> {
  expect(log.violations, 'no rejected mutation, no answer outside 200/429/503, every error in the protocol body').toEqual([]);

  const slow = log.requests.filter((r) => r.ms > HANG_BOUND_MS);
  expect(
    slow.map((r) => `${r.path} on ${r.target} took ${r.ms} ms (status ${r.status}${r.error ? `, ${r.error}` : ''})`),
    `no request takes longer than ${HANG_BOUND_MS} ms`,
  ).toEqual([]);

  for (const client of clients) {
    const ids = client.lastMutationIds;
    const wentBack = ids.findIndex((value, i) => i > 0 && value < Math.max(...ids.slice(0, i)));
    const around = ids
      .slice(Math.max(0, wentBack - 4), wentBack + 2)
      .map((v, i) => `${v} (${client.lastMutationSources[Math.max(0, wentBack - 4) + i]})`);
    expect(wentBack, `${client.name}: lastMutationId never goes back; around the first drop: ${around.join(', ')}`).toBe(-1);
    expect(client.acked.size, `${client.name}: every queued message was acknowledged in the end`).toBe(client.sent.size);
  }

  const users = new Map<string, Account>(clients.map((c) => [c.who.userId, c.who]));
  for (const who of users.values()) {
    const views = await Promise.all(targets.map((target) => freshPull(log, target, who)));
    const first = views[0] as { state: ServerState; pages: PullResponse[] };
    for (const [i, view] of views.entries()) {
      expect(snapshot(view.state), `${targets[i]?.name} and ${targets[0]?.name} give ${who.email} the same state`).toEqual(
        snapshot(first.state),
      );
    }
    // Exactly once: every acknowledged message (written by anyone in the shared space) is in one change of the catch-up.
    const seen = new Map<string, number>();
    for (const change of changesOf(first.pages)) {
      if (change.kind === 'message') seen.set(change.id, (seen.get(change.id) ?? 0) + 1);
    }
    const acked = new Map(clients.flatMap((c) => [...c.acked]));
    const missing = [...acked.keys()].filter((id) => !seen.has(id));
    expect(missing, `every acknowledged message is in ${who.email}'s catch-up`).toEqual([]);
    expect(
      [...seen].filter(([, n]) => n !== 1),
      'no message appears twice in one catch-up',
    ).toEqual([]);
    const wrong = [...acked].filter(
      ([id, body]) => (first.state.get(keyOf('message', id))?.data as { body?: string } | undefined)?.body !== body,
    );
    expect(wrong, 'every acknowledged message has the body it was sent with').toEqual([]);
    const extra = [...seen.keys()].filter((id) => !acked.has(id));
    expect(extra, 'no message appears that nobody sent').toEqual([]);

    // Convergence, and no skipped change: each client pulled from its cursor all along and holds exactly the state.
    for (const client of clients.filter((c) => c.who.userId === who.userId)) {
      expect(
        snapshot(client.state),
        `${client.name}, pulling incrementally through the fault, ends with exactly the server's state`,
      ).toEqual(snapshot(first.state));
    }
  }
}

/** Waits until `probe` answers true (polling), returning how long it took; throws past `timeoutMs` or when `probe` throws. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}
