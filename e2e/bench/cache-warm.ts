/**
 * Cold start: how much of the first traffic after an instance starts with an empty cache is
 * answered from it, with warming at start off and on (sync-server/src/cache/cache-warmer.ts).
 * K accounts each push once and pull to the end on a first instance; then a new instance starts on
 * the same database with a Redis prefix nobody has used (an empty cache, as after a flush or on a
 * first deploy), and every device makes its next request: an empty pull at its cursor. Per mode:
 * the hit rate of each cache over those first pulls, their latency, and the time the instance took
 * to start. The first instance stays up meanwhile (idle), as another instance of a deployment would.
 */
import { randomBytes } from 'node:crypto';
import { startAppServer } from '../support/app-server.ts';
import { cacheHits, scrapeCounters } from './metrics-text.ts';
import { percentile, round } from './node-device.ts';

interface Device {
  token: string;
  clientId: string;
  cursor: string;
}

export interface ColdStart {
  warming: boolean;
  startMs: number;
  hitRate: Record<'token' | 'spaces' | 'heads' | 'pull', number | null>;
  firstPull: { p50: number; p95: number };
  errors: number;
}

export interface CacheWarmResult {
  devices: number;
  modes: ColdStart[];
}

async function call(base: string, path: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function device(base: string, run: string, i: number): Promise<Device> {
  const signup = await call(base, '/auth/signup', {
    email: `warm-${run}-${i}@bench.test`,
    password: 'bench-password',
    displayName: `Warm ${i}`,
  });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status}`);
  const token = signup.json.token as string;
  const clientId = `warm-${run}-${i}`;
  const me = (await (await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    spaces: Array<{ id: string; kind: string }>;
  };
  const spaceId = me.spaces.find((s) => s.kind === 'personal')?.id;
  const first = await call(base, '/sync/pull', { clientId, cursor: null }, token);
  const pushed = await call(
    base,
    '/sync/push',
    {
      clientId,
      mutations: [
        {
          id: 1,
          name: 'conversation.create',
          args: { id: `wc-${run}-${i}`, spaceId, title: 'before the restart' },
          hlc: `${String(Date.now()).padStart(15, '0')}:00000:warm`,
        },
      ],
    },
    token,
  );
  if (pushed.status !== 200) throw new Error(`push: ${pushed.status} ${JSON.stringify(pushed.json).slice(0, 200)}`);
  let cursor = first.json.cursor as string;
  for (let page = 0; page < 5; page++) {
    const next = await call(base, '/sync/pull', { clientId, cursor }, token);
    cursor = next.json.cursor as string;
    if (next.json.hasMore !== true) break;
  }
  return { token, clientId, cursor };
}

async function coldStart(database: string, devices: readonly Device[], warming: boolean): Promise<ColdStart> {
  const started = performance.now();
  const server = await startAppServer(
    { REDIS_PREFIX: `duet_bench_cold_${randomBytes(6).toString('hex')}:`, CACHE_WARM_CLIENTS: warming ? '5000' : '0' },
    { database },
  );
  const startMs = round(performance.now() - started);
  try {
    const base = server.url.replace('localhost', '127.0.0.1');
    const before = await scrapeCounters(base);
    const ms: number[] = [];
    let errors = 0;
    // Ten at a time, as devices coming back do.
    for (let i = 0; i < devices.length; i += 10) {
      await Promise.all(
        devices.slice(i, i + 10).map(async (d) => {
          const t = performance.now();
          const page = await call(base, '/sync/pull', { clientId: d.clientId, cursor: d.cursor }, d.token);
          ms.push(performance.now() - t);
          if (page.status !== 200 || (page.json.changes as unknown[]).length !== 0) errors += 1;
        }),
      );
    }
    const after = await scrapeCounters(base);
    const rate = (cache: string) => {
      const r = cacheHits(before, after, cache).rate;
      return r === null ? null : round(r * 100);
    };
    return {
      warming,
      startMs,
      hitRate: { token: rate('token'), spaces: rate('spaces'), heads: rate('heads'), pull: rate('pull') },
      firstPull: { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)) },
      errors,
    };
  } finally {
    await server.stop();
  }
}

export async function runCacheWarm(count: number): Promise<CacheWarmResult> {
  const first = await startAppServer();
  try {
    const base = first.url.replace('localhost', '127.0.0.1');
    const run = randomBytes(4).toString('hex');
    const devices: Device[] = [];
    for (let i = 0; i < count; i += 10) {
      devices.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => device(base, run, i + j)))));
    }
    const modes = [await coldStart(first.database, devices, false), await coldStart(first.database, devices, true)];
    return { devices: count, modes };
  } finally {
    await first.stop();
  }
}
