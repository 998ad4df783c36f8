// The production build as the image holds it: the server compiled to dist/main.js (esbuild, with
// @duet/shared in it), the production dependencies only (`pnpm deploy --prod`, as the Dockerfile
// does), run with plain node: no tsx, no dev dependency. It starts on the embedded database, runs
// its migrations, answers, and stops cleanly on SIGTERM.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const DEV_ONLY = ['tsx', 'esbuild', 'vitest', 'pino-pretty', 'supertest', 'fast-check', 'typescript'];

describe('the production build', () => {
  let root: string;
  let image: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'duet-prod-'));
    image = path.join(root, 'app');
    await run(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: SERVER_DIR, timeout: 120_000 });
    await run('npx', ['--yes', 'pnpm@10.34.8', '--filter', '@duet/sync-server', 'deploy', '--prod', '--legacy', image], {
      cwd: SERVER_DIR,
      timeout: 240_000,
    });
    rmSync(path.join(image, 'dist'), { recursive: true, force: true });
    cpSync(path.join(SERVER_DIR, 'dist'), path.join(image, 'dist'), { recursive: true });
  }, 300_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('holds production dependencies only', () => {
    const store = readdirSync(path.join(image, 'node_modules', '.pnpm'));
    for (const dev of DEV_ONLY)
      expect(
        store.filter((entry) => entry.startsWith(`${dev}@`)),
        dev,
      ).toEqual([]);
    expect(existsSync(path.join(image, 'node_modules', 'pg'))).toBe(true);
    const bundle = readFileSync(path.join(image, 'dist', 'main.js'), 'utf8');
    expect(bundle).not.toMatch(/from ["']@duet\/shared["']/);
    expect(bundle).not.toMatch(/from ["']tsx/);
  });

  it('runs with plain node: migrations, a signup, then a clean exit on SIGTERM', async () => {
    const dataDir = path.join(root, 'data');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, ['dist/main.js'], { cwd: image, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line within 90 s:\n${output}`)), 90_000);
        child.stdout.on('data', () => {
          const match = /Duet is running at (http:\/\/\S+)/.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        void exited.then((code) => reject(new Error(`exited with ${code} before it was ready:\n${output}`)));
      });
      const ready = await fetch(`${url}/api/ready`);
      expect(ready.status, output).toBe(200);
      const signup = await fetch(`${url}/api/auth/signup`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'prod-build@example.test', password: 'prod-build-password', displayName: 'Prod' }),
      });
      expect(signup.status, await signup.clone().text()).toBe(201);
      const bad = await fetch(`${url}/api/auth/signup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_body');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
  }, 150_000);
});
