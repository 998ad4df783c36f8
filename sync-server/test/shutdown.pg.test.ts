// Graceful shutdown (issue 9, section 3): on SIGTERM the server refuses what comes after it with
// 503 and `Connection: close`, lets a push that is already running finish, even one waiting on a
// stalled Postgres for longer than the old 5 s cut, closes WebSockets with 1001 and exits 0; and
// SIGTERM to npm reaches the server under it. The server runs as a child process against a
// PostgreSQL cluster of this test's own, which the test pauses.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newId } from '@duet/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account } from './support/accounts.ts';
import { describeResponse, pushRequest, sleep } from './support/api.ts';
import { startPgCluster, type PgCluster } from './support/pg-cluster.ts';
import { killAllServerProcesses, startServerProcess } from './support/server-process.ts';
import { hlcAt } from './support/sync-client.ts';
import { WsProbe } from './support/ws-probe.ts';

/** Longer than the 5 s after which the server used to cut every connection. */
const STALL_MS = 7000;

/** Sends the start of a request now and the rest later: the connection is busy, not idle, meanwhile. */
function halfSentRequest(url: string, path: string): { finish(): Promise<{ status: number; headers: string; body: string }> } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n`);
  return {
    finish() {
      socket.write('\r\n');
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${path}: ${JSON.stringify(received)}`)), 10_000);
        socket.once('close', () => {
          clearTimeout(timer);
          const [head = '', body = ''] = received.split('\r\n\r\n');
          resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
        });
      });
    },
  };
}

describe('graceful shutdown', () => {
  let cluster: PgCluster | undefined;
  // The servers' uploads directory, out of the checkout.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'duet-shutdown-'));

  beforeAll(async () => {
    cluster = await startPgCluster();
  }, 60_000);
  afterAll(async () => {
    cluster?.resume();
    await killAllServerProcesses();
    await cluster?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('on SIGTERM refuses new requests, lets an in-flight push on a stalled Postgres finish, closes sockets with 1001, exits 0', async () => {
    const db = cluster as PgCluster;
    const server = await startServerProcess({
      DATA_DIR: dataDir,
      DATABASE_URL: await db.createDatabase('drain'),
      PG_STATEMENT_TIMEOUT_MS: '15000',
      SHUTDOWN_GRACE_MS: '20000',
    });
    const who = await account(server, 'Leaving');
    const socket = await WsProbe.authed(server, who.token);
    const latecomer = halfSentRequest(server.url, '/api/ready');
    const conversationId = newId();
    const clientId = `c-${newId()}`;
    const mutation = {
      id: 1,
      name: 'conversation.create',
      args: { id: conversationId, spaceId: who.personalSpaceId, title: 'in flight' },
      hlc: hlcAt(Date.now(), clientId),
    };

    db.pause();
    let exit: Awaited<ReturnType<typeof server.stop>>;
    let pushed: Awaited<ReturnType<typeof pushRequest>> | Error;
    let ready: Awaited<ReturnType<typeof latecomer.finish>>;
    try {
      const pushing = pushRequest(server, who.token, { clientId, mutations: [mutation] })
        .timeout(30_000)
        .then(
          (res) => res,
          (error: Error) => error,
        );
      await sleep(500);
      const stopping = server.stop('SIGTERM', 40_000);
      await sleep(300);
      ready = await latecomer.finish();
      const closed = await socket.waitForClose(5000);
      expect(closed.code).toBe(1001);
      await sleep(STALL_MS);
      db.resume();
      pushed = await pushing;
      exit = await stopping;
    } finally {
      db.resume();
    }

    expect(ready.status, ready.headers).toBe(503);
    expect(ready.headers).toContain('connection: close');
    expect(JSON.parse(ready.body)).toMatchObject({ error: { code: 'unavailable' } });
    expect(pushed instanceof Error ? pushed.message : describeResponse(pushed)).toMatch(/^200 /);
    expect(exit, server.output()).toEqual({ code: 0, signal: null, timedOut: false });
  }, 90_000);

  it('exits 0 on SIGTERM while Postgres stays stopped, answering the push in flight with 503', async () => {
    const db = cluster as PgCluster;
    const server = await startServerProcess({
      DATA_DIR: dataDir,
      DATABASE_URL: await db.createDatabase('stalled'),
      PG_STATEMENT_TIMEOUT_MS: '1000',
      PG_CONNECT_TIMEOUT_MS: '1000',
    });
    const who = await account(server, 'Stuck');
    const clientId = `c-${newId()}`;
    const mutation = {
      id: 1,
      name: 'conversation.create',
      args: { id: newId(), spaceId: who.personalSpaceId, title: 'stuck' },
      hlc: hlcAt(Date.now(), clientId),
    };
    db.pause();
    let exit: Awaited<ReturnType<typeof server.stop>>;
    let pushed: Awaited<ReturnType<typeof pushRequest>> | Error;
    try {
      const pushing = pushRequest(server, who.token, { clientId, mutations: [mutation] })
        .timeout(30_000)
        .then(
          (res) => res,
          (error: Error) => error,
        );
      await sleep(300);
      // Postgres answers nothing until the process has exited (or the stop gave up and killed it).
      exit = await server.stop('SIGTERM', 30_000);
      pushed = await pushing;
    } finally {
      db.resume();
    }
    expect(pushed instanceof Error ? pushed.message : describeResponse(pushed)).toMatch(/^503 .*unavailable/);
    expect(exit, server.output()).toEqual({ code: 0, signal: null, timedOut: false });
  }, 90_000);

  it('stops the server when npm, which started it, gets SIGTERM', async () => {
    const db = cluster as PgCluster;
    const server = await startServerProcess(
      { DATA_DIR: dataDir, DATABASE_URL: await db.createDatabase('npm'), LOG_LEVEL: 'info' },
      60_000,
      'npm',
    );
    const exit = await server.stop('SIGTERM', 30_000);
    // The server itself got the signal and shut down in order (npm exits with its code).
    expect(server.output()).toContain('"msg":"shutting down"');
    expect(exit, `${JSON.stringify(exit)}\n${server.output()}`).toEqual({ code: 0, signal: null, timedOut: false });
    // Nothing of the server is left listening.
    const refused = await fetch(`${server.url}/api/health`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
  }, 90_000);
});
