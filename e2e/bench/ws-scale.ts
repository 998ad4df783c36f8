/**
 * Real time at scale: thousands of partners (seeded with SQL: signing 20,000 users up through
 * scrypt would take the bench half an hour), each with one WebSocket on one server instance, held
 * by several client processes (ws-scale-worker.ts); then pushes at a steady rate, each into one
 * pair's shared space, timed from sending the push to the partner's poke. Memory per connection is
 * the server's resident memory over the connections it holds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startAppServer } from '../support/app-server.ts';
import { percentile, round } from './node-device.ts';

const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WORKER = fileURLToPath(new URL('./ws-scale-worker.ts', import.meta.url));

export interface WsScaleResult {
  pairs: number;
  connectionsWanted: number;
  connectionsHeld: number;
  clientProcesses: number;
  connectSeconds: number;
  pushRate: number;
  pushes: number;
  pokesReceived: number;
  p50: number;
  p99: number;
  max: number;
  serverRssMbBefore: number;
  serverRssMbAfter: number;
  kbPerConnection: number;
  /** What limited the count, if anything (the file descriptor limit of a process, say). */
  note: string;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Pairs of partners straight into the schema: users, personal and shared spaces, memberships, devices. */
async function seedPairs(databaseUrl: string, pairs: number, run: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const users = pairs * 2;
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO spaces (id, kind) SELECT 'wsp-' || $1 || '-' || i, 'personal' FROM generate_series(0, $2 - 1) i
       UNION ALL SELECT 'wss-' || $1 || '-' || p, 'shared' FROM generate_series(0, $3 - 1) p`,
      [run, users, pairs],
    );
    await db.query(
      `INSERT INTO users (id, email, display_name, locale, time_zone, password_hash, personal_space_id)
       SELECT 'wsu-' || $1 || '-' || i, 'ws-' || $1 || '-' || i || '@bench.test', 'U' || i, 'en', 'UTC', 'seeded', 'wsp-' || $1 || '-' || i
         FROM generate_series(0, $2 - 1) i`,
      [run, users],
    );
    await db.query(
      `INSERT INTO space_members (space_id, user_id)
       SELECT 'wsp-' || $1 || '-' || i, 'wsu-' || $1 || '-' || i FROM generate_series(0, $2 - 1) i
       UNION ALL SELECT 'wss-' || $1 || '-' || (i / 2), 'wsu-' || $1 || '-' || i FROM generate_series(0, $2 - 1) i`,
      [run, users],
    );
    await db.query(
      `INSERT INTO devices (id, user_id, name, token_hash)
       SELECT 'wsd-' || $1 || '-' || i, 'wsu-' || $1 || '-' || i, 'bench', encode(sha256(convert_to('wstoken-' || $1 || '-' || lpad(i::text, 8, '0'), 'UTF8')), 'hex')
         FROM generate_series(0, $2 - 1) i`,
      [run, users],
    );
    await db.query('COMMIT');
  } finally {
    await db.end();
  }
}

function send(child: ChildProcess, message: unknown, reply: string): Promise<{ open: number }> {
  return new Promise((resolve) => {
    const listener = (m: { type: string; open?: number }) => {
      if (m.type !== reply) return;
      child.off('message', listener);
      resolve({ open: m.open ?? 0 });
    };
    child.on('message', listener);
    child.send(message as object);
  });
}

export async function runWsScale(options: { pairs: number; processes: number; pushRate: number; seconds: number }): Promise<WsScaleResult> {
  const { pairs, processes, pushRate, seconds } = options;
  const server = await startAppServer({ LOG_LEVEL: 'error' });
  const children: ChildProcess[] = [];
  try {
    const base = server.url.replace('localhost', '127.0.0.1');
    const databaseUrl = new URL(ADMIN_DATABASE_URL);
    databaseUrl.pathname = `/${server.database}`;
    const run = Math.random().toString(36).slice(2, 8);
    await seedPairs(databaseUrl.toString(), pairs, run);
    const token = (i: number) => `wstoken-${run}-${String(i).padStart(8, '0')}`;

    // Every poke each partner got, by pair: a poke before the push (a poke of every socket after a
    // cache outage, say) is not the push's.
    const arrivals = new Map<number, number[]>();
    let failed = 0;
    let closed = 0;
    const rssBefore = rssMb(server.pid);
    const startedConnecting = performance.now();
    const all = Array.from({ length: pairs * 2 }, (_, i) => [Math.floor(i / 2), token(i), i % 2 === 1] as [number, string, boolean]);
    for (let w = 0; w < processes; w++) {
      const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
      child.on('message', (m: { type: string; pair?: number; at?: number }) => {
        if (m.type === 'poke' && m.pair !== undefined && m.at !== undefined) arrivals.set(m.pair, [...(arrivals.get(m.pair) ?? []), m.at]);
        if (m.type === 'failed') failed += 1;
        if (m.type === 'closed') closed += 1;
      });
      children.push(child);
    }
    const held = await Promise.all(
      children.map((child, w) =>
        send(
          child,
          {
            type: 'connect',
            url: `${base.replace(/^http/, 'ws')}/api/sync/ws`,
            sockets: all.filter((_, i) => i % processes === w),
            localAddress: `127.0.0.${2 + (w % 200)}`,
          },
          'connected',
        ),
      ),
    );
    const connectSeconds = (performance.now() - startedConnecting) / 1000;
    const connectionsHeld = held.reduce((a, h) => a + h.open, 0);
    // Let the presence announcements of the connections settle before measuring.
    await new Promise((r) => setTimeout(r, 3000));
    const rssAfter = rssMb(server.pid);

    // Steady pushes, each into another pair's shared space (one push per pair, so each poke is one push's).
    const sentAt = new Map<number, number>();
    const total = Math.min(pairs, Math.round(pushRate * seconds));
    const order = Array.from({ length: pairs }, (_, p) => p)
      .sort(() => Math.random() - 0.5)
      .slice(0, total);
    const started = performance.now();
    const pushes: Array<Promise<unknown>> = [];
    const pushErrors: string[] = [];
    for (let k = 0; k < total; k++) {
      const due = started + (k * 1000) / pushRate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const pair = order[k] as number;
      const hlc = `${String(Date.now()).padStart(15, '0')}:00000:wsb${pair}`;
      const body = {
        clientId: `wsb-${pair}`,
        mutations: [
          { id: 1, name: 'conversation.create', args: { id: `wsc-${run}-${pair}`, spaceId: `wss-${run}-${pair}`, title: 'Hi' }, hlc },
        ],
      };
      sentAt.set(pair, performance.timeOrigin + performance.now());
      pushes.push(
        fetch(`${base}/api/sync/push`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token(pair * 2)}` },
          body: JSON.stringify(body),
        }).then(async (r) => {
          if (!r.ok) pushErrors.push(`${r.status} ${(await r.text()).slice(0, 200)}`);
          else await r.arrayBuffer();
        }),
      );
    }
    await Promise.allSettled(pushes);
    await new Promise((r) => setTimeout(r, 3000));
    const latencies = [...sentAt].flatMap(([pair, at]) => {
      const arrived = (arrivals.get(pair) ?? []).filter((t) => t >= at);
      return arrived.length === 0 ? [] : [Math.min(...arrived) - at];
    });
    return {
      pairs,
      connectionsWanted: pairs * 2,
      connectionsHeld,
      clientProcesses: processes,
      connectSeconds: round(connectSeconds),
      pushRate,
      pushes: total,
      pokesReceived: latencies.length,
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(Math.max(0, ...latencies)),
      serverRssMbBefore: round(rssBefore),
      serverRssMbAfter: round(rssAfter),
      kbPerConnection: round(((rssAfter - rssBefore) * 1024) / Math.max(1, connectionsHeld)),
      note: `${failed} connections failed, ${closed} closed while held; ${pushErrors.length} pushes failed${pushErrors[0] ? ` (${pushErrors[0]})` : ''}`,
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await server.stop();
  }
}
