/** Reads counters from the server's Prometheus text. */
export async function scrapeCounters(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

export function cacheHits(before: Map<string, number>, after: Map<string, number>, cache: string) {
  const read = (m: Map<string, number>, result: string) => m.get(`duet_cache_requests_total{cache="${cache}",result="${result}"}`) ?? 0;
  const hits = read(after, 'hit') - read(before, 'hit');
  const misses = read(after, 'miss') - read(before, 'miss');
  return { hits, misses, rate: hits + misses === 0 ? null : hits / (hits + misses) };
}

/**
 * A quantile of the server's own request durations for one route between two scrapes, from the
 * Prometheus histogram: the upper bound (ms) of the bucket it falls in.
 */
export function serverQuantile(before: Map<string, number>, after: Map<string, number>, route: string, q: number): number | null {
  const buckets = new Map<number, number>();
  for (const [key, value] of after) {
    if (!key.startsWith('duet_http_request_duration_seconds_bucket{') || !key.includes(`route="${route}"`)) continue;
    const le = /le="([^"]+)"/.exec(key)?.[1];
    if (!le || le === '+Inf') continue;
    const delta = value - (before.get(key) ?? 0);
    buckets.set(Number(le), (buckets.get(Number(le)) ?? 0) + delta);
  }
  let total = 0;
  for (const [key, value] of after) {
    if (key.startsWith('duet_http_request_duration_seconds_count{') && key.includes(`route="${route}"`))
      total += value - (before.get(key) ?? 0);
  }
  if (total === 0) return null;
  for (const le of [...buckets.keys()].sort((a, b) => a - b)) {
    if ((buckets.get(le) ?? 0) >= q * total) return le * 1000;
  }
  return Number.POSITIVE_INFINITY;
}
