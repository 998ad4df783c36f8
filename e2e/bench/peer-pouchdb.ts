/**
 * The peer: PouchDB (memory adapter) replicating N message-sized documents to a CouchDB-compatible
 * server (express-pouchdb on Express 4, itself on memory PouchDB), then a fresh PouchDB pulling
 * them. Requests are counted by the server, bytes (headers included) by a TCP proxy in front of it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import expressPouchDb from 'express-pouchdb';
import PouchDB from 'pouchdb-core';
import HttpAdapter from 'pouchdb-adapter-http';
import MemoryAdapter from 'pouchdb-adapter-memory';
import MapReduce from 'pouchdb-mapreduce';
import Replication from 'pouchdb-replication';
import { startWireProxy } from './wire-proxy.ts';
import { messageDoc } from './workload.ts';

PouchDB.plugin(HttpAdapter).plugin(MemoryAdapter).plugin(MapReduce).plugin(Replication);

export interface WireCount {
  requests: number;
  bytesIn: number;
  bytesOut: number;
}

export interface SyncRun {
  pushMs: number;
  pullMs: number;
  push: WireCount;
  pull: WireCount;
}

function requestCounter(): { count: { requests: number }; middleware: express.RequestHandler } {
  const count = { requests: 0 };
  return {
    count,
    middleware: (_req, _res, next) => {
      count.requests += 1;
      next();
    },
  };
}

export async function runPouchDb(n: number, batchSize = 500): Promise<SyncRun> {
  const ServerPouch = PouchDB.defaults({ adapter: 'memory' });
  const app = express();
  const { count, middleware } = requestCounter();
  app.use(middleware);
  app.use('/', expressPouchDb(ServerPouch, { mode: 'minimumForPouchDB', logPath: '/dev/null' }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy = await startWireProxy(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  const url = `${proxy.url}/bench`;
  const snapshot = () => ({ requests: count.requests, ...proxy.bytes() });
  const since = (before: ReturnType<typeof snapshot>): WireCount => {
    const now = snapshot();
    return { requests: now.requests - before.requests, bytesIn: now.up - before.up, bytesOut: now.down - before.down };
  };
  try {
    const source = new PouchDB(`src-${n}-${Date.now()}`, { adapter: 'memory' });
    const docs = Array.from({ length: n }, (_, i) => messageDoc(i));
    for (let i = 0; i < docs.length; i += 1000) await source.bulkDocs(docs.slice(i, i + 1000));
    const remote = new PouchDB(url);
    await remote.info();
    const before = snapshot();
    let started = performance.now();
    await source.replicate.to(remote, { batch_size: batchSize });
    const pushMs = performance.now() - started;
    const push = since(before);

    const target = new PouchDB(`dst-${n}-${Date.now()}`, { adapter: 'memory' });
    const beforePull = snapshot();
    started = performance.now();
    await target.replicate.from(remote, { batch_size: batchSize });
    const pullMs = performance.now() - started;
    const pulled = await target.info();
    if (pulled.doc_count !== n) throw new Error(`PouchDB pulled ${pulled.doc_count} of ${n} documents`);
    const pull = since(beforePull);
    await Promise.all([source.destroy(), target.destroy()]);
    return { pushMs, pullMs, push, pull };
  } finally {
    await proxy.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
