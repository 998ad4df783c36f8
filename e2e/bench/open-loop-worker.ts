/**
 * One load-generating process of the open-loop bench (open-loop.ts forks several). It sends requests
 * at a fixed arrival rate whatever the answers take (so a slow server meets a growing queue, as it
 * would in the field), and times each from the moment it was due, not from when it left. Push bodies
 * are built before a phase starts, so the generator spends its CPU on sending, not on JSON.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { LoadUser, PhaseOrder, PhaseReport, RouteName } from './open-loop-types.ts';

const MAX_IN_FLIGHT = 2000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

interface ClientState {
  id: string;
  nextMutationId: number;
  busy: boolean;
}

interface UserState extends LoadUser {
  clients: ClientState[];
  cursor: string | null;
  messageSeq: number;
}

let users: UserState[] = [];
let host = '127.0.0.1';
let port = 0;
let workerIndex = 0;

const WORDS = 'we talked about the plan for the weekend and what each of us wants to change next month'.split(' ');
const bodyOf = (i: number) => {
  const words: string[] = [];
  for (let seed = i * 2654435761; words.join(' ').length < 110;) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    words.push(WORDS[seed % WORDS.length] as string);
  }
  return `${words.join(' ')} #${i}`;
};

/** Batch sizes like a phone's: mostly a message or two, sometimes a burst from offline. */
function batchSize(r: number): number {
  if (r < 0.6) return 1 + Math.floor(r * 5);
  if (r < 0.9) return 4 + Math.floor(((r - 0.6) / 0.3) * 7);
  return 11 + Math.floor(((r - 0.9) / 0.1) * 15);
}

/** A push's mutations without their ids: the id is put in front when it is sent (it depends on the client). */
function prebuiltPush(user: UserState, size: number): string[] {
  const hlcWall = String(Date.now()).padStart(15, '0');
  return Array.from({ length: size }, (_, k) => {
    const seq = user.messageSeq++;
    const id = `m${workerIndex}-${user.index}-${seq}`;
    const args = JSON.stringify({ id, conversationId: user.conversationId, body: bodyOf(seq) });
    return `,"name":"message.add","args":${args},"hlc":"${hlcWall}:${String(k).padStart(5, '0')}:${user.clientBase}"}`;
  });
}

function request(method: 'GET' | 'POST', path: string, token: string, body: string | null): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' };
    if (body !== null) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host, port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, text: (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

/** The cursor and hasMore of a pull answer, without parsing its changes. */
function cursorOf(text: string): { cursor: string | null; hasMore: boolean } {
  const match = /"cursor":"([^"]+)"/.exec(text);
  return { cursor: match?.[1] ?? null, hasMore: text.includes('"hasMore":true') };
}

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length] as T;
}

async function runPhase(order: PhaseOrder): Promise<PhaseReport> {
  const pushers = users.filter((u) => u.role === 'pair');
  const idle = users.filter((u) => u.role === 'solo');
  const total = Math.round(order.rate * order.seconds);
  // The plan of the whole phase: which route each request takes, and the bodies of the pushes.
  const weights = Object.entries(order.mix) as Array<[RouteName, number]>;
  const sum = weights.reduce((a, [, w]) => a + w, 0);
  let seed = 12345 + workerIndex;
  const random = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const plan = Array.from({ length: total }, (_, i) => {
    let r = random() * sum;
    let route: RouteName = weights[0]?.[0] ?? 'push';
    for (const [name, w] of weights) {
      if ((r -= w) < 0) {
        route = name;
        break;
      }
    }
    const user = route === 'emptyPull' || route === 'me' ? pick(idle, i) : pick(pushers, i);
    return { route, user, mutations: route === 'push' ? prebuiltPush(user, batchSize(random())) : null };
  });

  const latencies: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  const note = (kind: string) => (errors[kind] = (errors[kind] ?? 0) + 1);
  let inFlight = 0;
  let mutationsSent = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const interval = 1000 / order.rate;
  const finished: Array<Promise<void>> = [];

  const send = async (step: (typeof plan)[number], due: number) => {
    const { route, user } = step;
    try {
      let answer: { status: number; text: string };
      if (route === 'push') {
        const client = user.clients.find((c) => !c.busy) ?? {
          id: `${user.clientBase}-${user.clients.length}`,
          nextMutationId: 1,
          busy: false,
        };
        if (!user.clients.includes(client)) user.clients.push(client);
        client.busy = true;
        const first = client.nextMutationId;
        const mutations = step.mutations ?? [];
        client.nextMutationId += mutations.length;
        mutationsSent += mutations.length;
        const body = `{"clientId":"${client.id}","mutations":[${mutations.map((m, k) => `{"id":${first + k}${m}`).join(',')}]}`;
        try {
          answer = await request('POST', '/api/sync/push', user.token, body);
        } finally {
          client.busy = false;
        }
        if (answer.status === 200 && !answer.text.includes('"applied"')) note('push applied nothing');
      } else if (route === 'pull' || route === 'emptyPull') {
        const body = `{"clientId":"${user.clientBase}-reader","cursor":${user.cursor === null ? 'null' : `"${user.cursor}"`},"limit":100}`;
        answer = await request('POST', '/api/sync/pull', user.token, body);
        if (answer.status === 200) {
          const next = cursorOf(answer.text);
          if (next.cursor) user.cursor = next.cursor;
        }
      } else if (route === 'stats') {
        answer = await request('GET', '/api/stats', user.token, null);
      } else {
        answer = await request('GET', '/api/me', user.token, null);
      }
      (latencies[route] ??= []).push(performance.now() - due);
      if (answer.status !== 200) note(`HTTP ${answer.status} ${route}`);
    } catch (error) {
      note(`${route}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      inFlight -= 1;
    }
  };

  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && started + next * interval <= now) {
        const step = plan[next] as (typeof plan)[number];
        const due = started + next * interval;
        next += 1;
        if (inFlight >= MAX_IN_FLIGHT) {
          note('not sent: too many requests in flight');
          continue;
        }
        inFlight += 1;
        finished.push(send(step, due));
      }
      if (next >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(5, started + next * interval - performance.now())));
    };
    tick();
  });
  const sentFor = (performance.now() - started) / 1000;
  await Promise.all(finished);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    latencies,
    errors,
    sentSeconds: sentFor,
    wallSeconds: (performance.now() - started) / 1000,
    requests: total,
    mutations: mutationsSent,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on('message', (message: { type: 'init'; host: string; port: number; index: number; users: LoadUser[] } | PhaseOrder) => {
  if (message.type === 'init') {
    host = message.host;
    port = message.port;
    workerIndex = message.index;
    users = message.users.map((u) => ({ ...u, clients: [], cursor: null, messageSeq: 0 }));
    process.send?.({ type: 'ready' });
    return;
  }
  void runPhase(message).then(
    (report) => process.send?.({ type: 'report', report }),
    (error: unknown) => process.send?.({ type: 'failed', error: String(error) }),
  );
});
