/**
 * CPU time of processes from /proc (Linux): the server's, its database's Postgres backends' and
 * Redis's, so the bench can say where the CPU of a load went.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import pg from 'pg';

// USER_HZ is 100 on every Linux the bench runs on (sysconf(_SC_CLK_TCK)).
const TICK_MS = 10;

/** utime + stime of a process in ms, or null when it is gone or unreadable. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** The pids of the Postgres backends serving one database. */
export async function backendPids(adminUrl: string, database: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    return result.rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

/** Redis's process id, from INFO (an inline command over a plain socket). */
export function redisPid(redisUrl: string): Promise<number | null> {
  const url = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port || 6379), url.hostname);
    let text = '';
    const done = (pid: number | null) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(2000, () => done(null));
    socket.on('error', () => done(null));
    socket.on('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      text += chunk.toString();
      const match = /process_id:(\d+)/.exec(text);
      if (match) done(Number(match[1]));
    });
  });
}

/** A set of processes' CPU at one moment, so the difference of two is what they spent between. */
export class CpuMeter {
  private readonly start = new Map<number, number>();

  constructor(private readonly pids: () => Promise<number[]> | number[]) {}

  async begin(): Promise<void> {
    this.start.clear();
    for (const pid of await this.pids()) this.start.set(pid, processCpuMs(pid) ?? 0);
  }

  /** CPU ms spent since begin() by the processes (ones started since count from zero). */
  async spent(): Promise<number> {
    let total = 0;
    const now = await this.pids();
    for (const pid of new Set([...now, ...this.start.keys()])) {
      const cpu = processCpuMs(pid);
      if (cpu !== null) total += cpu - (this.start.get(pid) ?? 0);
    }
    return total;
  }
}

/** CPU ms the whole machine spent busy (all cores, all processes: ours and everyone else's). */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * TICK_MS;
}
