// Pull guarantee 2 (convergence): random mutation streams from four clients of two partners, pushed
// and pulled in random order with resends and gaps, end with every client equal to a fresh full pull,
// and with the values the conflict rules pick.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITY_KINDS, compareHlc, newId, type PushResponse } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { push, type Envelope } from './support/api.ts';
import { couple, type Account } from './support/accounts.ts';
import { Random } from './support/random.ts';
import { SyncClient, entitiesOf, entityIn, freshState, snapshot, type ServerState } from './support/sync-client.ts';

interface Device {
  client: SyncClient;
  who: Account;
  /** Every mutation this device made, in id order (index = id - 1). */
  history: Envelope[];
  /** Entities this device created itself and so knows before any pull. */
  local: { conversations: Map<string, string>; messages: Set<string>; sessions: Set<string>; transcripts: Map<string, string> };
}

const BASE = Date.now() - 2 * 60 * 60 * 1000;

function knownConversations(d: Device): Array<{ id: string; spaceId: string }> {
  const out = new Map(d.local.conversations);
  for (const c of entitiesOf(d.client.state, 'conversation')) out.set(c.id, c.spaceId);
  return [...out].map(([id, spaceId]) => ({ id, spaceId }));
}

function knownOwnMessages(d: Device): string[] {
  const out = new Set(d.local.messages);
  for (const m of entitiesOf(d.client.state, 'message')) if (m.authorId === d.who.userId) out.add(m.id);
  return [...out];
}

function knownSessions(d: Device): string[] {
  const out = new Set(d.local.sessions);
  for (const s of entitiesOf(d.client.state, 'session')) out.add(s.id);
  return [...out];
}

function knownTranscripts(d: Device): string[] {
  const out = new Set(d.local.transcripts.keys());
  for (const t of entitiesOf(d.client.state, 'transcript')) out.add(t.id);
  return [...out];
}

/** Makes one random, valid mutation on a device. */
function randomMutation(d: Device, r: Random, sharedSpaceId: string): void {
  const mutate = (name: string, args: unknown) => d.history.push(d.client.mutate(name, args));
  const conversations = knownConversations(d);
  const messages = knownOwnMessages(d);
  const sessions = knownSessions(d);
  const transcripts = knownTranscripts(d);
  const roll = r.next();
  if (conversations.length === 0 || roll < 0.1) {
    const id = newId();
    const spaceId = r.chance(0.7) ? sharedSpaceId : d.who.personalSpaceId;
    d.local.conversations.set(id, spaceId);
    mutate('conversation.create', { id, spaceId, title: `${r.word()} ${r.word()}` });
  } else if (roll < 0.25) {
    const { id } = r.pick(conversations);
    if (r.chance(0.7)) mutate('conversation.update', { id, title: `${r.word()} by ${d.client.clientId.slice(0, 6)}` });
    else mutate('conversation.update', { id, archived: r.chance(0.5) });
  } else if (roll < 0.5 || messages.length === 0) {
    const id = newId();
    d.local.messages.add(id);
    mutate('message.add', { id, conversationId: r.pick(conversations).id, body: `${r.word()} ${r.int(0, 99)}` });
  } else if (roll < 0.62) {
    mutate('message.edit', { id: r.pick(messages), body: `edit ${r.word()} ${r.int(0, 99)}` });
  } else if (roll < 0.67) {
    mutate('message.delete', { id: r.pick(messages) });
  } else if (roll < 0.8) {
    if (sessions.length === 0 || r.chance(0.3)) {
      const id = newId();
      d.local.sessions.add(id);
      mutate('session.start', { id, startedAt: BASE - r.int(0, 600_000) });
    } else {
      const id = r.pick(sessions);
      const which = r.int(0, 2);
      if (which === 0) mutate('session.start', { id, startedAt: BASE - r.int(0, 600_000) });
      else if (which === 1) mutate('session.activity', { id, kind: r.pick(ACTIVITY_KINDS), at: BASE + r.int(1000, 1_800_000) });
      else mutate('session.end', { id, endedAt: BASE + r.int(1_860_000, 3_600_000) });
    }
  } else if (transcripts.length === 0 || r.chance(0.35)) {
    const id = newId();
    const space = r.chance(0.5) ? sharedSpaceId : d.who.personalSpaceId;
    const sameSpace = conversations.filter((c) => c.spaceId === space);
    d.local.transcripts.set(id, space);
    const args: Record<string, unknown> = { id, spaceId: space, text: `said ${r.word()}`, language: r.pick(['en', 'es', 'pt-BR']) };
    if (sameSpace.length > 0 && r.chance(0.5)) args.conversationId = r.pick(sameSpace).id;
    if (r.chance(0.5)) args.durationMs = r.int(0, 600_000);
    mutate('transcript.create', args);
  } else if (r.chance(0.8)) {
    mutate('transcript.update', { id: r.pick(transcripts), text: `${r.word()} ${r.word()} ${r.int(0, 99)}` });
  } else {
    mutate('transcript.submit', { id: r.pick(transcripts) });
  }
}

/** Pushes a random contiguous run of the device's history: resends, a normal push, or a gap. */
async function randomPush(server: TestServer, d: Device, r: Random, applied: Array<{ m: Envelope; userId: string }>): Promise<void> {
  const last = d.client.lastMutationId;
  const made = d.history.length;
  if (made === 0) return;
  if (made >= last + 2 && r.chance(0.1)) {
    // A gap: everything from the gap on is out of order and nothing is applied.
    const batch = d.history.slice(last + 1, Math.min(made, last + 1 + r.int(1, 4)));
    const res = await push(server, d.client.token, d.client.clientId, batch);
    expect(res.lastMutationId).toBe(last);
    expect(res.results.map((x) => x.status)).toEqual(batch.map(() => 'out_of_order'));
    return;
  }
  const from = Math.max(0, last - r.int(0, 3));
  const to = Math.min(made, last + r.int(1, 8));
  if (to <= from) return;
  const batch = d.history.slice(from, to);
  const res: PushResponse = await d.client.push(batch);
  expect(res.lastMutationId).toBe(Math.max(last, to));
  const expected = batch.map((m) => (m.id <= last ? 'duplicate' : 'applied'));
  expect(res.results.map((x) => (x.error ? `${x.status}:${x.error.code}:${x.error.message}` : x.status))).toEqual(expected);
  res.results.forEach((x, i) => {
    if (x.status === 'applied') applied.push({ m: batch[i] as Envelope, userId: d.who.userId });
  });
}

/** The last-writer-wins value of a field: the applied write with the largest hlc. */
function lastWriter<T>(writes: Array<{ hlc: string; value: T }>): T | undefined {
  let best: { hlc: string; value: T } | undefined;
  for (const w of writes) if (!best || compareHlc(w.hlc, best.hlc) > 0) best = w;
  return best?.value;
}

function checkAgainstRules(state: ServerState, applied: Array<{ m: Envelope; userId: string }>): void {
  const byEntity = new Map<string, Envelope[]>();
  for (const { m } of applied) {
    const id = (m.args as { id: string }).id;
    const kind = m.name.split('.')[0] as string;
    const list = byEntity.get(`${kind}:${id}`) ?? [];
    list.push(m);
    byEntity.set(`${kind}:${id}`, list);
  }
  for (const [key, writes] of byEntity) {
    const [kind, id] = key.split(':') as [string, string];
    const args = (m: Envelope) => m.args as Record<string, unknown>;
    if (kind === 'conversation') {
      const c = entityIn(state, 'conversation', id);
      if (!c) continue; // not visible to this user
      const titles = writes.filter((m) => typeof args(m).title === 'string').map((m) => ({ hlc: m.hlc, value: args(m).title as string }));
      const archived = writes
        .filter((m) => m.name === 'conversation.create' || typeof args(m).archived === 'boolean')
        .map((m) => ({ hlc: m.hlc, value: m.name === 'conversation.create' ? false : (args(m).archived as boolean) }));
      expect(c.title, `title of ${id}`).toBe(lastWriter(titles));
      expect(c.archived, `archived of ${id}`).toBe(lastWriter(archived));
    } else if (kind === 'message') {
      const msg = entityIn(state, 'message', id);
      if (!msg) continue;
      const deleted = writes.some((m) => m.name === 'message.delete');
      expect(msg.deleted, `deleted of ${id}`).toBe(deleted);
      const bodies = writes.filter((m) => m.name !== 'message.delete').map((m) => ({ hlc: m.hlc, value: args(m).body as string }));
      expect(msg.body, `body of ${id}`).toBe(deleted ? '' : lastWriter(bodies));
    } else if (kind === 'session') {
      const s = entityIn(state, 'session', id);
      if (!s) continue;
      const starts = writes.filter((m) => m.name === 'session.start').map((m) => args(m).startedAt as number);
      const ends = writes.filter((m) => m.name === 'session.end').map((m) => args(m).endedAt as number);
      const kinds = new Set(writes.filter((m) => m.name === 'session.activity').map((m) => args(m).kind as string));
      if (starts.length > 0) expect(s.startedAt, `startedAt of ${id}`).toBe(Math.min(...starts));
      expect(s.endedAt, `endedAt of ${id}`).toBe(ends.length > 0 ? Math.max(...ends) : null);
      expect([...s.activities].sort(), `activities of ${id}`).toEqual([...kinds].sort());
    } else if (kind === 'transcript') {
      const t = entityIn(state, 'transcript', id);
      if (!t) continue;
      const texts = writes.filter((m) => m.name !== 'transcript.submit').map((m) => ({ hlc: m.hlc, value: args(m).text as string }));
      expect(t.text, `text of ${id}`).toBe(lastWriter(texts));
      const submitted = writes.some((m) => m.name === 'transcript.submit');
      expect(t.status === 'draft', `status of ${id}`).toBe(!submitted);
    }
  }
}

describe('convergence under random streams', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Quick retries: an empty transcript submitted by the random stream fails within seconds.
    server = await startTestServer({ jobs: { retryLimit: 1, retryDelaySec: 1, expireSec: 30 } });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function untilNoTranscriptInProgress(tokens: string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = await Promise.all(tokens.map((token) => freshState(server, token)));
      const busy = states.some((state) =>
        [...state.values()].some(
          (c) => c.kind === 'transcript' && ['queued', 'processing'].includes((c.data as { status?: string }).status ?? ''),
        ),
      );
      if (!busy) return;
      if (Date.now() > deadline) throw new Error('transcript jobs did not finish within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('leaves every client equal to a fresh full pull, with the values the rules pick', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const r = new Random(seed);
        const { ana, ben, sharedSpaceId } = await couple(server);
        const devices: Device[] = [];
        for (const who of [ana, ana, ben, ben]) {
          // Clocks up to 20 s apart: wrong, but not wrong enough to be clamped.
          const skew = r.int(-20_000, 20_000);
          devices.push({
            client: new SyncClient(server, who.token, `d${devices.length}-${newId()}`, () => Date.now() + skew),
            who,
            history: [],
            local: { conversations: new Map(), messages: new Set(), sessions: new Set(), transcripts: new Map() },
          });
        }
        const applied: Array<{ m: Envelope; userId: string }> = [];

        for (let step = 0; step < 70; step++) {
          const d = r.pick(devices);
          const roll = r.next();
          if (roll < 0.55) randomMutation(d, r, sharedSpaceId);
          else if (roll < 0.8) await randomPush(server, d, r, applied);
          else await d.client.pull(r.chance(0.5) ? r.int(1, 9) : undefined);
        }

        // Everyone goes online: push all (in random order, resending once), then pull to the end.
        for (const d of [...devices].sort(() => r.next() - 0.5)) {
          while (d.client.lastMutationId < d.history.length) await randomPush(server, d, r, applied);
        }
        // The server's transcript worker writes too (status and result of submitted transcripts):
        // let it finish before the last pulls, so the comparison is with a state that stays put.
        await untilNoTranscriptInProgress([ana.token, ben.token]);
        for (const d of devices) await d.client.pull(r.chance(0.5) ? r.int(2, 9) : undefined);

        const fresh = new Map<string, ServerState>();
        for (const who of [ana, ben]) fresh.set(who.userId, await freshState(server, who.token));
        for (const d of devices) {
          const truth = fresh.get(d.who.userId) as ServerState;
          expect(snapshot(d.client.state), `seed ${seed}: ${d.client.clientId} equals a fresh pull`).toEqual(snapshot(truth));
          expect(d.client.outbox, 'every mutation processed').toEqual([]);
        }
        const sharedOf = (userId: string) => {
          const all = snapshot(fresh.get(userId) as ServerState);
          return Object.fromEntries(
            Object.entries(all).filter(([, v]) => (v.data as { spaceId?: string } | null)?.spaceId === sharedSpaceId),
          );
        };
        expect(sharedOf(ana.userId), 'both partners hold the same shared space').toEqual(sharedOf(ben.userId));
        expect(Object.keys(sharedOf(ana.userId)).length).toBeGreaterThan(0);
        for (const who of [ana, ben]) checkAgainstRules(fresh.get(who.userId) as ServerState, applied);
      }),
      { numRuns: 4, endOnFailure: true },
    );
  }, 60_000);
});
