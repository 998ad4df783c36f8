/**
 * Our side of the peer comparison: a device pushes N message-sized records through the server, a
 * fresh device of the same user pulls them; bytes counted by a TCP proxy, requests by the client.
 */
import { startWireProxy } from './wire-proxy.ts';
import { createDevice, type RequestTiming, type TimingSink } from './node-device.ts';
import type { SyncRun } from './peer-pouchdb.ts';
import { messageBody } from './workload.ts';

export async function runOurs(
  serverUrl: string,
  n: number,
): Promise<SyncRun & { pushThenPullMs: number; conversationId: string; email: string; password: string }> {
  const proxy = await startWireProxy(new URL(serverUrl));
  const email = `peer-${n}-${Math.random().toString(36).slice(2, 8)}@bench.test`;
  const password = 'bench-password';
  try {
    const sink: TimingSink = { current: null };
    const writer = createDevice({ baseUrl: proxy.url, timings: sink, pushBatchSize: 500 });
    await writer.ready;
    await writer.auth.signup({ email, password, displayName: 'Peer bench' });
    await writer.engine.syncNow();
    const spaceId = (await writer.read.spaces())[0]?.id;
    if (!spaceId) throw new Error('no space');
    const conversationId = writer.newId();
    await writer.mutate('conversation.create', { id: conversationId, spaceId, title: 'Benchmark' });
    for (let i = 0; i < n; i++) await writer.mutate('message.add', { id: writer.newId(), conversationId, body: messageBody(i) });

    let wire = proxy.bytes();
    const pushTimings: RequestTiming[] = [];
    sink.current = pushTimings;
    let started = performance.now();
    await writer.engine.syncNow();
    if (writer.engine.getStatus().pending !== 0) throw new Error('push did not finish');
    // Pushed = every mutation durably on the server: the last push answer. (The writer's own pull
    // afterwards, which confirms its outbox, is reported apart as pushThenPullMs.)
    const pushes = pushTimings.filter((t) => t.path === '/api/sync/push');
    const pushMs = Math.max(...pushes.map((t) => t.endedAt)) - started;
    const pushThenPullMs = performance.now() - started;
    let after = proxy.bytes();
    const push = { requests: pushes.length, bytesIn: after.up - wire.up, bytesOut: after.down - wire.down };
    writer.close();

    const reader = createDevice({ baseUrl: proxy.url, timings: sink, pullLimit: 1000 });
    await reader.ready;
    sink.current = null;
    await reader.auth.login({ email, password });
    wire = proxy.bytes();
    const pullTimings: RequestTiming[] = [];
    sink.current = pullTimings;
    started = performance.now();
    await reader.engine.syncNow();
    const pullMs = performance.now() - started;
    after = proxy.bytes();
    const got = (await reader.read.messages(conversationId)).length;
    if (got !== n) throw new Error(`our pull got ${got} of ${n} messages`);
    reader.close();
    return {
      pushMs,
      pushThenPullMs,
      pullMs,
      push,
      pull: { requests: pullTimings.length, bytesIn: after.up - wire.up, bytesOut: after.down - wire.down },
      conversationId,
      email,
      password,
    };
  } finally {
    await proxy.close();
  }
}
