/**
 * Duet behind nginx, on the topology of `npm run topology` (sync-server/scripts/topology): the
 * compiled server ×3 behind Debian's nginx with sync-server/deploy/nginx/duet.conf, a Postgres
 * primary with its streaming replica (DATABASE_REPLICA_URL), a three-master Redis Cluster
 * (REDIS_CLUSTER_NODES). Shows that:
 * - every instance is on the replica (used for reads, not bypassed) and on the cluster;
 * - an audio upload begun on one instance is finished on another and read back through the lb
 *   and from every instance, whole and with Range requests (the audio is shared in Postgres);
 * - the black-box protocol suite (the server tests that use a server only through its URL) passes
 *   through the lb URL;
 * - one instance killed with -9 mid-load, and a rolling restart of all three (SIGTERM, start again,
 *   next), lose no acknowledged write and leave no error the engine's own retries do not recover.
 * The devices are @duet/client engines (started: they retry with their own back-off).
 * The whole topology is torn down in afterAll, also when a test fails.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, assembleDuetClient, manualSignal, MemoryStorage } from '@duet/client';
import {
  instanceUrl,
  startInstance,
  startTopology,
  stopInstance,
  stopTopology,
  type TopologyState,
} from '../../sync-server/scripts/topology/topology.ts';
import { CHUNK_BYTES } from '../../sync-server/src/uploads/pg-store.ts';
import { createUpload, headUpload, patchUpload } from '../../sync-server/test/support/tus-http.ts';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SERVER_DIR = path.join(REPO, 'sync-server');

/** The server test files that act as the protocol's black-box suite (see harness.ts, DUET_TARGET_URL). */
const PROTOCOL_SUITE = [
  'test/push-pull.pg.test.ts',
  'test/idempotency.pg.test.ts',
  'test/concurrency.pg.test.ts',
  'test/errors.pg.test.ts',
  'test/protocol-version.pg.test.ts',
  'test/invites.pg.test.ts',
  'test/fuzz.pg.test.ts',
];
/** After the load stops, every device must have sent everything and be without error within this. */
// Longer than the engine's longest backoff (60 s, DEFAULT_BACKOFF): a device that failed often during the fault may wait that long before its next try.
const SETTLE_MS = 75_000;
/** Engine errors a restart may cause for a moment (never a rejection or a lost sign-in). */
const TRANSIENT = new Set(['network', 'unavailable', 'rate_limited']);

let topology: TopologyState;
const lbUrl = () => `http://127.0.0.1:${topology.lb.port}`;

beforeAll(async () => {
  // The instances run the production build of the current source.
  await run(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: SERVER_DIR, timeout: 120_000 });
  topology = await startTopology({
    dir: mkdtempSync(path.join(os.tmpdir(), 'duet-topology-test-')),
    // Every client of this test comes from 127.0.0.1, as the harness's servers allow.
    env: { SIGNUP_LIMIT_PER_IP: '100000', SHUTDOWN_GRACE_MS: '5000' },
    prometheus: true,
  });
}, 180_000);

afterAll(async () => {
  if (topology) await stopTopology(topology.dir);
}, 60_000);

describe('the protocol suite through the load balancer', () => {
  it('passes: every black-box server test, run against the lb URL', async () => {
    const child = spawn(
      process.execPath,
      [path.join(REPO, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'sync-server', ...PROTOCOL_SUITE],
      {
        cwd: REPO,
        env: { ...suiteEnv(), DUET_TARGET_URL: lbUrl() },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const summary = output.split('\n').filter((line) => /Test Files|Tests /.test(line));
    console.log(`[lb] protocol suite through ${lbUrl()}: ${summary.join(' | ')}`);
    expect(code, output.slice(-6000)).toBe(0);
    expect(output).toMatch(new RegExp(`Test Files\\s+.*${PROTOCOL_SUITE.length} passed`));
  }, 400_000);
});

describe('Prometheus on the topology', () => {
  it('scrapes every instance and evaluates the alert rules on their figures', async () => {
    const base = `http://127.0.0.1:${topology.prometheus?.port ?? 0}`;
    const query = async (promql: string) => {
      const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return ((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
    };
    // The first scrape comes within one scrape interval (5 s).
    const deadline = Date.now() + 30_000;
    while ((await query('sum(up{job="duet"})'))[0]?.value[1] !== String(topology.instances.length)) {
      if (Date.now() > deadline) throw new Error(`not every instance is up in Prometheus: ${JSON.stringify(await query('up'))}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const rules = (await (await fetch(`${base}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: { health: string }[] }[] };
    };
    const groups = rules.data.groups;
    expect(groups.map((g) => g.name).sort()).toEqual(['duet-alerts', 'duet-recording']);
    for (const rule of groups.flatMap((g) => g.rules)) expect(rule.health).not.toBe('err');
  }, 60_000);
});

describe('the instances on the streaming replica and the Redis Cluster', () => {
  it('every instance reads from the replica (reported used by /api/ready, pulls served by it) and keeps its keys in the cluster', async () => {
    for (const instance of topology.instances) {
      expect(topology.instanceEnv.REDIS_CLUSTER_NODES).toBe(topology.redis.ports.map((p) => `127.0.0.1:${p}`).join(','));
      expect(topology.instanceEnv.REDIS_URL).toBeUndefined();
      // The replica's lag is checked every second: healthy, it is used within a few checks.
      const ready = await eventually(`replica used by ${instanceUrl(instance)}`, 20_000, async () => {
        const body = (await (await fetch(`${instanceUrl(instance)}/api/ready`)).json()) as ReadyBody;
        return body.replica.bypassed ? null : body;
      });
      expect(ready.status).toBe('ready');
      expect(ready.replica).toMatchObject({ configured: true, up: true, bypassed: false, reason: 'none' });
      expect(ready.redis).toEqual({ up: true, mode: 'redis' });
    }

    // Pulls through the lb are answered by the replica (its own counter, on the instances' /metrics).
    // Each from the beginning (a new client, no cursor): a pull with nothing new is answered by the
    // cache without a database read.
    const token = await signedUp('replica');
    const servedByReplica = () => sumMetric('duet_db_reads_total', { route: 'pull', served_by: 'replica' });
    const before = await servedByReplica();
    let pulls = 0;
    await eventually('a pull served by the replica', 20_000, async () => {
      const res = await fetch(`${lbUrl()}/api/sync/pull`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ clientId: `replica-probe-${++pulls}`, cursor: null }),
      });
      expect(res.status).toBe(200);
      return (await servedByReplica()) > before ? true : null;
    });
    console.log(`[lb] a pull served by the replica after ${pulls} pull(s) from the beginning`);

    // The instances' Redis keys are on the cluster's masters (spread by slot), nowhere else.
    const perNode = await Promise.all(
      topology.redis.ports.map(async (port) => {
        const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--scan', '--pattern', 'duet:*'], {
          timeout: 15_000,
        });
        return stdout.split('\n').filter(Boolean).length;
      }),
    );
    console.log(`[lb] duet:* keys on the cluster's masters: ${JSON.stringify(perNode)}`);
    expect(perNode.filter((n) => n > 0).length, `keys per master ${JSON.stringify(perNode)}`).toBeGreaterThanOrEqual(2);
  }, 90_000);
});

describe('shared audio across the instances', () => {
  it('finishes on instance 2 an upload begun on instance 1, and serves it through the lb and from every instance, also by Range', async () => {
    const transcriptId = `lb-audio-${Date.now()}`;
    const token = await signedUp('audio', async (d, spaceId) => {
      await d.mutate('transcript.create', {
        id: transcriptId,
        spaceId,
        text: 'Begun on one instance, finished on another.',
        language: 'en',
      });
    });
    const [one, two] = topology.instances.map((i) => ({ url: instanceUrl(i) }));
    if (!one || !two) throw new Error('fewer than two instances');
    // Not a whole number of chunks: the last one is short.
    const audio = randomBytes(2 * CHUNK_BYTES + 12_345);
    const created = await createUpload(one, token, { length: audio.length, metadata: { transcriptId, filetype: 'audio/ogg' } });
    expect(created.response.status, created.response.body).toBe(201);
    const uploadPath = created.path as string;
    const firstPart = CHUNK_BYTES + 4321;
    const first = await patchUpload(one, token, uploadPath, 0, audio.subarray(0, firstPart));
    expect(first.status, first.body).toBe(204);
    const head = await headUpload(two, token, uploadPath);
    expect(head.status, head.body).toBe(200);
    expect(head.headers['upload-offset']).toBe(String(firstPart));
    const rest = await patchUpload(two, token, uploadPath, firstPart, audio.subarray(firstPart));
    expect(rest.status, rest.body).toBe(204);
    expect(rest.headers['upload-offset']).toBe(String(audio.length));

    const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    const start = 1000;
    const end = CHUNK_BYTES + 99;
    for (const base of [lbUrl(), ...topology.instances.map(instanceUrl)]) {
      const url = `${base}/api/transcripts/${transcriptId}/audio`;
      const whole = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
      expect(whole.status, `whole from ${base}`).toBe(200);
      expect(whole.headers.get('accept-ranges')).toBe('bytes');
      expect(sha(new Uint8Array(await whole.arrayBuffer())), `whole from ${base}`).toBe(sha(audio));
      const part = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Range: `bytes=${start}-${end}` } });
      expect(part.status, `range from ${base}`).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes ${start}-${end}/${audio.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(audio.subarray(start, end + 1)), `range from ${base}`).toBe(true);
    }
  }, 90_000);
});

/**
 * A person signed up through the lb by a device, which runs `then` (mutations it then syncs) in
 * their personal space; returns a bearer token of another session of theirs (a login).
 */
async function signedUp(label: string, then?: (d: Device, spaceId: string) => Promise<void>): Promise<string> {
  const account = { email: `${label}-${Date.now()}-${++accounts}@e2e.test`, password: 'lb-test-password' };
  const d = device([]);
  try {
    await d.ready;
    await d.auth.signup({ ...account, displayName: label });
    await d.engine.syncNow();
    const spaceId = (await d.read.spaces())[0]?.id;
    if (!spaceId) throw new Error('no personal space after the first sync');
    if (then) {
      await then(d, spaceId);
      await d.engine.syncNow();
      expect(d.engine.getStatus(), 'the device sent its mutations').toMatchObject({ pending: 0, error: null });
    }
  } finally {
    d.close();
  }
  const login = await fetch(`${lbUrl()}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(account),
  });
  expect(login.status).toBe(200);
  return ((await login.json()) as { token: string }).token;
}

interface ReadyBody {
  status: string;
  redis: { up: boolean; mode: string };
  replica: { configured: boolean; up: boolean; bypassed: boolean; reason: string };
}

/** Asks until `check` gives a value (not null), or fails after `timeoutMs`. */
async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A counter summed over every instance's /metrics (loopback callers need no token), for the labels given. */
async function sumMetric(name: string, labels: Record<string, string>): Promise<number> {
  let sum = 0;
  for (const instance of topology.instances) {
    const text = await (await fetch(`${instanceUrl(instance)}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`)) continue;
      if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.split(' ').pop());
    }
  }
  return sum;
}

/** This process's environment without the variables of the vitest that runs this spec. */
function suiteEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(VITEST|NODE_OPTIONS$|TEST$)/.test(name)) delete env[name];
  return env;
}

/** A device: our engine, started (it syncs after each change and retries failures itself). */
function device(statuses: Answer[]) {
  const recordingFetch: typeof fetch = async (input, init) => {
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    try {
      const res = await fetch(input, init);
      // Whose refusal a 5xx is: nginx's ("no server is answering") or an instance's (draining, say).
      const said = res.status >= 500 ? await res.clone().text() : '';
      statuses.push({ path, status: res.status, message: /"message":"([^"]*)"/.exec(said)?.[1] ?? '' });
      return res;
    } catch (error) {
      statuses.push({ path, status: 0, message: (error as Error).message });
      throw error;
    }
  };
  const api = new ApiClient({ baseUrl: lbUrl(), fetch: recordingFetch });
  return assembleDuetClient({
    storage: new MemoryStorage(),
    api,
    engine: { online: manualSignal(true), visibility: manualSignal(true), periodicMs: 3_600_000 },
    autoStart: true,
  });
}
type Device = ReturnType<typeof device>;
/** One answer a device got (status 0: no answer). */
interface Answer {
  path: string;
  status: number;
  /** The error message of a failed answer. */
  message: string;
}

interface Writer {
  device: Device;
  account: { email: string; password: string };
  conversationId: string;
  written: string[];
  errors: Set<string>;
}

let accounts = 0;

async function writer(statuses: Answer[]): Promise<Writer> {
  const d = device(statuses);
  await d.ready;
  const account = { email: `lb-${Date.now()}-${++accounts}@e2e.test`, password: 'lb-test-password' };
  await d.auth.signup({ ...account, displayName: `LB ${accounts}` });
  await d.engine.syncNow();
  const spaceId = (await d.read.spaces())[0]?.id;
  if (!spaceId) throw new Error('no personal space after the first sync');
  const conversationId = d.newId();
  await d.mutate('conversation.create', { id: conversationId, spaceId, title: `Load ${accounts}` });
  const errors = new Set<string>();
  d.engine.subscribe((status) => {
    if (status.error) errors.add(status.error);
  });
  return { device: d, account, conversationId, written: [], errors };
}

/** Writers add messages (each one a push of the started engine) until `fault` has run and a moment after. */
async function underLoad(label: string, fault: () => Promise<void>): Promise<void> {
  const statuses: Answer[] = [];
  const writers = await Promise.all(Array.from({ length: 4 }, () => writer(statuses)));
  let writing = true;
  const loops = writers.map(async (w) => {
    for (let i = 0; writing; i++) {
      const id = w.device.newId();
      await w.device.mutate('message.add', { id, conversationId: w.conversationId, body: `${label} ${i}` });
      w.written.push(id);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await fault();
    await new Promise((resolve) => setTimeout(resolve, 1500));
  } finally {
    writing = false;
    await Promise.all(loops);
  }

  // The engines recover by themselves: everything sent, no error left.
  const deadline = Date.now() + SETTLE_MS;
  for (const w of writers) {
    for (;;) {
      const status = w.device.engine.getStatus();
      if (status.pending === 0 && status.error === null && !status.syncing) break;
      if (Date.now() > deadline) throw new Error(`${label}: a device did not recover: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const failures = statuses.filter((a) => a.status === 0 || a.status >= 500);
  // Counted by kind: "503 /api/sync/push (the server is shutting down; try again)" ×n.
  const failed: Record<string, number> = {};
  for (const a of failures) {
    const kind = `${a.status} ${a.path} (${a.message})`;
    failed[kind] = (failed[kind] ?? 0) + 1;
  }
  const seen = [...new Set(writers.flatMap((w) => [...w.errors]))];
  console.log(
    `[lb] ${label}: ${writers.reduce((n, w) => n + w.written.length, 0)} writes by ${writers.length} devices, ` +
      `${statuses.length} requests, ${failures.length} failed (${JSON.stringify(failed)}), engine errors seen: ${JSON.stringify(seen)}`,
  );
  for (const w of writers) {
    const status = w.device.engine.getStatus();
    expect(status.rejected, 'no mutation rejected').toEqual([]);
    expect(status.unsendable, 'no change the server keeps failing on').toEqual([]);
    expect(status.signedIn).toBe(true);
    for (const error of w.errors) expect(TRANSIENT, `engine error ${error} is one a restart may cause`).toContain(error);
  }

  // Every acknowledged write is there exactly once, as another device of the person sees it.
  for (const w of writers) {
    const reader = device([]);
    await reader.ready;
    await reader.auth.login(w.account);
    await reader.engine.syncNow();
    const ids = (await reader.read.messages(w.conversationId)).map((m) => m.id);
    expect(ids.length, `${label}: messages of ${w.account.email}`).toBe(w.written.length);
    expect(new Set(ids)).toEqual(new Set(w.written));
    reader.close();
    w.device.close();
  }
}

describe('faults of instances behind the load balancer, under load', () => {
  it('kill -9 of one instance mid-load, then its start: nothing acknowledged is lost, every engine recovers', async () => {
    await underLoad('kill -9', async () => {
      const victim = topology.instances[1];
      if (!victim) throw new Error('no instance 2');
      await stopInstance(victim, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await startInstance(topology, 1, victim.port);
    });
  }, 180_000);

  it('rolling restart of all three (SIGTERM, start, next): nothing acknowledged is lost, every engine recovers', async () => {
    await underLoad('rolling restart', async () => {
      for (const [index, instance] of [...topology.instances].entries()) {
        await stopInstance(instance, 'SIGTERM');
        await startInstance(topology, index, instance.port);
      }
    });
  }, 240_000);
});
