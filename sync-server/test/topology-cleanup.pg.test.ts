// `npm run topology` leaves nothing behind when it cannot finish: here the instances refuse their
// configuration, after Postgres (primary and replica) and the Redis Cluster are up. The start
// fails with the instance's own message, and afterwards no process started for the topology runs
// and its directory is gone.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startTopology } from '../scripts/topology/topology.ts';

const run = promisify(execFile);
const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Pids whose command line or environment names `dir`. */
function processesUsing(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/cmdline`, 'utf8') + readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (text.includes(dir)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

describe('npm run topology, failing midway', () => {
  it('stops and removes everything it had started', async () => {
    await run(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: SERVER_DIR, timeout: 120_000 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'duet-topology-fail-'));
    const lines: string[] = [];
    await expect(startTopology({ dir, env: { PG_POOL_MAX: 'not-a-number' }, log: (line) => lines.push(line) })).rejects.toThrow(
      /instance 1 exited before it was ready/,
    );
    expect(lines.some((line) => line.startsWith('postgres replica '))).toBe(true);
    expect(lines.some((line) => line.startsWith('redis cluster '))).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(processesUsing(dir)).toEqual([]);
  }, 180_000);
});
