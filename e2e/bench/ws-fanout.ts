/**
 * Real time at scale: C WebSocket connections held on one server instance (devices of users who
 * share one space), then pushes into that space; for each push, the time from sending it to
 * each connection's poke.
 */
import WebSocket from 'ws';
import { percentile, round } from './node-device.ts';

interface Account {
  token: string;
  spaceId: string;
}

async function post<T>(url: string, path: string, body: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${url}/api${path}`, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function partners(url: string): Promise<{ a: Account; b: Account }> {
  const run = Math.random().toString(36).slice(2, 8);
  const signup = (who: string) =>
    post<{ token: string }>(url, '/auth/signup', { email: `ws-${who}-${run}@bench.test`, password: 'bench-password', displayName: who });
  const [a, b] = await Promise.all([signup('a'), signup('b')]);
  const invite = await post<{ code: string }>(url, '/invites', {}, a.token);
  const accepted = await post<{ space: { id: string } }>(url, '/invites/accept', { code: invite.code }, b.token);
  return { a: { token: a.token, spaceId: accepted.space.id }, b: { token: b.token, spaceId: accepted.space.id } };
}

function connect(url: string, token: string, onPoke: () => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/sync/ws`);
    let ready = false;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString()) as { type: string };
      if (frame.type !== 'poke') return;
      if (!ready) {
        // The first poke comes right after auth.
        ready = true;
        resolve(ws);
      } else onPoke();
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      if (!ready) reject(new Error(`closed ${code} before auth`));
    });
  });
}

export interface FanoutResult {
  connections: number;
  pushes: number;
  pokesExpected: number;
  pokesReceived: number;
  p50: number;
  p99: number;
  max: number;
}

export async function runFanout(url: string, connections: number, pushes = 5): Promise<FanoutResult> {
  const { a, b } = await partners(url);
  let pushAnsweredAt = 0;
  const latencies: number[] = [];
  const sockets: WebSocket[] = [];
  try {
    for (let i = 0; i < connections; i += 100) {
      const batch = Array.from({ length: Math.min(100, connections - i) }, (_, j) =>
        connect(url, (i + j) % 2 === 0 ? a.token : b.token, () => latencies.push(performance.now() - pushAnsweredAt)),
      );
      sockets.push(...(await Promise.all(batch)));
    }
    const conversationId = `fanout-${Math.random().toString(36).slice(2, 10)}`;
    for (let p = 0; p < pushes; p++) {
      const before = latencies.length;
      const mutation =
        p === 0
          ? { id: 1, name: 'conversation.create', args: { id: conversationId, spaceId: a.spaceId, title: 'Fan-out' } }
          : { id: p + 1, name: 'message.add', args: { id: `${conversationId}-${p}`, conversationId, body: `poke ${p}` } };
      const hlc = `${String(Date.now()).padStart(15, '0')}:${String(p).padStart(5, '0')}:fanout`;
      pushAnsweredAt = performance.now();
      await post(url, '/sync/push', { clientId: 'fanout', mutations: [{ ...mutation, hlc }] }, a.token);
      // Latency is counted from the moment the push is sent (commit, publish and delivery included).
      const deadline = performance.now() + 10_000;
      while (latencies.length - before < connections && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    for (const ws of sockets) ws.terminate();
  }
  const clamped = latencies.map((l) => Math.max(0, l));
  return {
    connections,
    pushes,
    pokesExpected: connections * pushes,
    pokesReceived: latencies.length,
    p50: round(percentile(clamped, 50)),
    p99: round(percentile(clamped, 99)),
    max: round(Math.max(...clamped)),
  };
}
