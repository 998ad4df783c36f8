/** Reads counters from GET /metrics (Prometheus text format) for tests that watch the server's behaviour. */
import request from 'supertest';
import { expect } from 'vitest';
import type { HasUrl } from './api.ts';

export type Labels = Record<string, string>;

function parseLabels(text: string): Labels {
  const labels: Labels = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
    if (match[1] !== undefined) labels[match[1]] = match[2] ?? '';
  }
  return labels;
}

/** The value of one sample of `name` whose labels include `labels`; 0 when there is no such sample (yet). */
export function sampleValue(text: string, name: string, labels: Labels = {}): number {
  let total: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const match = /^(\w+)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = parseLabels(match[2] ?? '');
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total = (total ?? 0) + Number(match[3]);
  }
  return total ?? 0;
}

export async function scrapeMetrics(server: HasUrl): Promise<string> {
  const res = await request(server.url).get('/metrics');
  expect(res.status, `GET /metrics: ${res.status}`).toBe(200);
  expect(res.headers['content-type'] ?? '').toMatch(/text\/plain/);
  return res.text;
}

/** The counters the cache tests watch. */
export interface CacheCounters {
  pullHit: number;
  pullMiss: number;
  statsHit: number;
  statsMiss: number;
  tokenHit: number;
  pgCheckouts: number;
}

export async function cacheCounters(server: HasUrl): Promise<CacheCounters> {
  const text = await scrapeMetrics(server);
  const cache = (name: string, result: string) => sampleValue(text, 'duet_cache_requests_total', { cache: name, result });
  return {
    pullHit: cache('pull', 'hit'),
    pullMiss: cache('pull', 'miss'),
    statsHit: cache('stats', 'hit'),
    statsMiss: cache('stats', 'miss'),
    tokenHit: cache('token', 'hit'),
    pgCheckouts: sampleValue(text, 'duet_pg_checkouts_total'),
  };
}
