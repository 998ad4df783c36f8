/**
 * A simulated device: our real sync engine in Node (in-memory storage) against the real server,
 * with a fetch that records each request's path and latency.
 */
import { ApiClient, assembleDuetClient, manualSignal, MemoryStorage } from '@duet/client';

export interface RequestTiming {
  path: string;
  ms: number;
  status: number;
  /** performance.now() when the answer had been read. */
  endedAt: number;
}

/** Where timings go; switch `current` to measure one phase apart from another. */
export interface TimingSink {
  current: RequestTiming[] | null;
}

export interface DeviceOptions {
  baseUrl: string;
  timings?: TimingSink;
  pushBatchSize?: number;
  pullLimit?: number;
}

export function timedFetch(sink: TimingSink | undefined): typeof fetch {
  return async (input, init) => {
    const started = performance.now();
    const response = await fetch(input, init);
    const timings = sink?.current;
    if (timings) {
      const path = new URL(String(input instanceof Request ? input.url : input)).pathname;
      // Timed to the end of the body, as a client experiences it.
      const body = await response.arrayBuffer();
      timings.push({ path, ms: performance.now() - started, status: response.status, endedAt: performance.now() });
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    return response;
  };
}

export function createDevice(options: DeviceOptions) {
  const api = new ApiClient({ baseUrl: options.baseUrl, fetch: timedFetch(options.timings) });
  const engine: Parameters<typeof assembleDuetClient>[0]['engine'] = {
    online: manualSignal(true),
    visibility: manualSignal(true),
    periodicMs: 24 * 3600_000,
  };
  if (options.pushBatchSize) engine.pushBatchSize = options.pushBatchSize;
  if (options.pullLimit) engine.pullLimit = options.pullLimit;
  return assembleDuetClient({ storage: new MemoryStorage(), api, engine, autoStart: false });
}

export type Device = ReturnType<typeof createDevice>;

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
