/**
 * Runs the real server binary (`node --import tsx src/main.ts`) as a child process, for the tests
 * that kill or restart it. Every process started here is tracked so afterAll can always end it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SYNC_SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
const READY_LINE = /Duet is running at (http:\/\/\S+)/;
/** Variables of the server's config that must come only from the test, never from the shell. */
const SERVER_VARIABLES = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'DATABASE_REPLICA_URL',
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'REDIS_PREFIX',
  'DATA_DIR',
  'LOG_LEVEL',
  'WEB_DIST_DIR',
];

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** Sends a signal and waits for the process to exit; SIGKILLs it if it outlives the timeout. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>;
}

const running = new Set<ChildProcess>();
/** Process groups of the servers started under npm: what npm started may outlive npm itself. */
const groups = new Set<number>();

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Starts the server with the given variables (PORT=0 and HOST=127.0.0.1 unless given) and waits for
 * its ready line. `launcher: 'npm'` starts it as `npm run serve` does, with npm and a shell above it.
 */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 45_000,
  launcher: 'node' | 'npm' = 'node',
): Promise<ServerProcess> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SERVER_VARIABLES) delete base[name];
  // As a user's shell starts it: not with the test worker's IPC channel (NODE_CHANNEL_FD, which a
  // node under npm then opens as its own, and signals go astray) nor the settings of the npm or npx
  // that started the tests.
  for (const name of Object.keys(base)) if (/^(npm_|VITEST|NODE_OPTIONS$|NODE_CHANNEL_)/i.test(name)) delete base[name];
  const [command, args] =
    launcher === 'npm' ? ['npm', ['run', '--silent', 'serve']] : [process.execPath, ['--import', 'tsx', 'src/main.ts']];
  const child = spawn(command, args, {
    cwd: SYNC_SERVER_DIR,
    // Every test signs its users up from 127.0.0.1: the signup limit must not get in the way.
    env: { ...base, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIGNUP_LIMIT_PER_IP: '100000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Under npm, a process group of its own: cleanup can end npm's children too (see killAllServerProcesses).
    detached: launcher === 'npm',
  });
  running.add(child);
  if (launcher === 'npm' && child.pid) groups.add(child.pid);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print its ready line within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const match = READY_LINE.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before it was ready (code ${code}, signal ${signal}):\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });

  return {
    url,
    child,
    output: () => output,
    async stop(signal, stopTimeoutMs = 20_000) {
      const done = exited(child);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), stopTimeoutMs);
      });
      const first = await Promise.race([done, timeout]);
      clearTimeout(timer);
      if (first === 'timeout') {
        child.kill('SIGKILL');
        return { ...(await done), timedOut: true };
      }
      return { ...first, timedOut: false };
    },
  };
}

/** SIGKILLs every server process still running (for afterAll and finally blocks), with npm's children. */
export async function killAllServerProcesses(): Promise<void> {
  const children = [...running];
  for (const child of children) child.kill('SIGKILL');
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Every process of the group has ended.
    }
  }
  groups.clear();
  await Promise.all(children.map(exited));
}
