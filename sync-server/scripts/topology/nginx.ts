/**
 * nginx as the topology's load balancer: Debian's binary with a prefix of its own (not the system
 * service), running sync-server/deploy/nginx/duet.conf with a loopback listen address and the
 * instances as upstreams.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, startDetached } from './processes.ts';

export const NGINX_DEPLOY_DIR = path.join(import.meta.dirname, '..', '..', 'deploy', 'nginx');
const asRoot = process.getuid?.() === 0;

/** The deploy config with the listen address and upstreams of this machine. */
export function renderNginx(prefix: string, listenPort: number, instancePorts: number[]): string {
  const duet = readFileSync(path.join(NGINX_DEPLOY_DIR, 'duet.conf'), 'utf8');
  if (!/^\s*listen 8080;$/m.test(duet)) throw new Error('duet.conf: no `listen 8080;` line to point at the loopback port');
  writeFileSync(path.join(prefix, 'duet.conf'), duet.replace(/^(\s*)listen 8080;$/m, `$1listen 127.0.0.1:${listenPort};`));
  const upstreams = instancePorts.map((port) => `server 127.0.0.1:${port} max_fails=3 fail_timeout=10s;`);
  writeFileSync(path.join(prefix, 'duet-upstreams.conf'), `${upstreams.join('\n')}\n`);
  for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(path.join(prefix, 'tmp', dir), { recursive: true });
    // Workers run as nobody when nginx starts as root: they write request bodies here.
    if (asRoot) chmodSync(path.join(prefix, 'tmp', dir), 0o777);
  }
  if (asRoot) for (const dir of [prefix, path.join(prefix, 'tmp')]) chmodSync(dir, 0o755);
  const conf = [
    'daemon off;',
    'worker_processes 2;',
    ...(asRoot ? ['user nobody nogroup;'] : []),
    `pid ${path.join(prefix, 'nginx.pid')};`,
    `error_log ${path.join(prefix, 'error.log')} warn;`,
    'events { worker_connections 1024; }',
    'http {',
    `  access_log ${path.join(prefix, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((dir) => `  ${dir}_temp_path ${path.join(prefix, 'tmp', dir)};`),
    '  server_tokens off;',
    '  include duet.conf;',
    '}',
  ];
  const file = path.join(prefix, 'nginx.conf');
  writeFileSync(file, `${conf.join('\n')}\n`);
  return file;
}

const args = (prefix: string, conf: string) => ['-p', `${prefix}/`, '-c', conf, '-e', path.join(prefix, 'error.log')];

/** `nginx -t` on the rendered config: throws with nginx's message when it is refused. */
export async function checkNginx(prefix: string, conf: string): Promise<void> {
  try {
    await run('nginx', [...args(prefix, conf), '-t', '-q'], { timeout: 20_000 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`nginx -t refused the config: ${e.stderr ?? e.message}`);
  }
}

export function startNginx(prefix: string, conf: string): number {
  return startDetached('nginx', args(prefix, conf), { logFile: path.join(prefix, 'nginx.out') });
}
