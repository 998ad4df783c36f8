/**
 * The peer: PouchDB (memory adapter) replicating N message-sized documents to a CouchDB-compatible
 * server (express-pouchdb on Express 4, itself on memory PouchDB), then a fresh PouchDB pulling
 * them. Requests and body bytes are counted on the server side.
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

function counter(): { count: WireCount; middleware: express.RequestHandler } {
  const count: WireCount = { requests: 0, bytesIn: 0, bytesOut: 0 };
  const middleware: express.RequestHandler = (req, res, next) => {
    count.requests += 1;
    // Reading the body here would steal it from the body parser; PouchDB sends a Content-Length.
    count.bytesIn += Number(req.headers['content-length'] ?? 0);
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk) count.bytesOut += Buffer.byteLength(chunk as string | Uint8Array);
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') count.bytesOut += Buffer.byteLength(chunk as string | Uint8Array);
      return (end as (...a: unknown[]) => express.Response)(chunk, ...rest);
    }) as typeof res.end;
    next();
  };
  return { count, middleware };
}

export async function runPouchDb(n: number, batchSize = 500): Promise<SyncRun> {
  const ServerPouch = PouchDB.defaults({ adapter: 'memory' });
  const app = express();
  const { count, middleware } = counter();
  app.use(middleware);
  app.use('/', expressPouchDb(ServerPouch, { mode: 'minimumForPouchDB', logPath: '/dev/null' }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench`;
  try {
    const source = new PouchDB(`src-${n}-${Date.now()}`, { adapter: 'memory' });
    const docs = Array.from({ length: n }, (_, i) => messageDoc(i));
    for (let i = 0; i < docs.length; i += 1000) await source.bulkDocs(docs.slice(i, i + 1000));
    const remote = new PouchDB(url);
    await remote.info();
    const before = { ...count };
    let started = performance.now();
    await source.replicate.to(remote, { batch_size: batchSize });
    const pushMs = performance.now() - started;
    const push = diff(count, before);

    const target = new PouchDB(`dst-${n}-${Date.now()}`, { adapter: 'memory' });
    const beforePull = { ...count };
    started = performance.now();
    await target.replicate.from(remote, { batch_size: batchSize });
    const pullMs = performance.now() - started;
    const pulled = await target.info();
    if (pulled.doc_count !== n) throw new Error(`PouchDB pulled ${pulled.doc_count} of ${n} documents`);
    const pull = diff(count, beforePull);
    await Promise.all([source.destroy(), target.destroy()]);
    return { pushMs, pullMs, push, pull };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function diff(now: WireCount, before: WireCount): WireCount {
  return { requests: now.requests - before.requests, bytesIn: now.bytesIn - before.bytesIn, bytesOut: now.bytesOut - before.bytesOut };
}
