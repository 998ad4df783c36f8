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
