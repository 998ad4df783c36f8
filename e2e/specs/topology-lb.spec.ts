/**
 * Duet behind nginx, on the topology of `npm run topology` (sync-server/scripts/topology): the
 * compiled server ×3 behind Debian's nginx with sync-server/deploy/nginx/duet.conf, a Postgres
 * primary with its streaming replica, Redis. Shows that:
 * - the black-box protocol suite (the server tests that use a server only through its URL) passes
 *   through the lb URL;
 * - one instance killed with -9 mid-load, and a rolling restart of all three (SIGTERM, start again,
 *   next), lose no acknowledged write and leave no error the engine's own retries do not recover.
 * The devices are @duet/client engines (started: they retry with their own back-off).
 * The whole topology is torn down in afterAll, also when a test fails.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, assembleDuetClient, manualSignal, MemoryStorage } from '@duet/client';
import {
  startInstance,
  startTopology,
  stopInstance,
  stopTopology,
  type TopologyState,
} from '../../sync-server/scripts/topology/topology.ts';

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
const SETTLE_MS = 45_000;
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
      statuses.push({ path, status: res.status });
      return res;
    } catch (error) {
      statuses.push({ path, status: 0 });
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
  const failed = statuses.filter((a) => a.status === 0 || a.status >= 500).map((a) => `${a.status} ${a.path}`);
  const seen = [...new Set(writers.flatMap((w) => [...w.errors]))];
  console.log(
    `[lb] ${label}: ${writers.reduce((n, w) => n + w.written.length, 0)} writes by ${writers.length} devices, ` +
      `${statuses.length} requests, ${failed.length} failed (${JSON.stringify(failed)}), engine errors seen: ${JSON.stringify(seen)}`,
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
