// The deployment files in sync-server/deploy that cannot run on this machine (no container images
// can be pulled here): parsed and checked for what docs/deploy.md promises of them, and their
// configuration checked against the server's own config table. The nginx config, which does run
// here, is checked by nginx itself (nginx -t) as the topology renders it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.ts';
import { checkNginx, renderNginx } from '../scripts/topology/nginx.ts';

const run = promisify(execFile);
const DEPLOY = fileURLToPath(new URL('../deploy', import.meta.url));
const read = (...parts: string[]) => readFileSync(path.join(DEPLOY, ...parts), 'utf8');

/** A parsed YAML document, as loosely typed as JSON.parse's answer. */
type Doc = Record<string, ReturnType<typeof JSON.parse>>;
const k8s: Doc[] = readdirSync(path.join(DEPLOY, 'k8s'))
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => yaml.loadAll(read('k8s', f)) as Doc[]);
const kind = (name: string): Doc => {
  const doc = k8s.find((d) => d.kind === name);
  expect(doc, `a ${name}`).toBeDefined();
  return doc as Doc;
};

/** Every variable is one the server reads, and the values pass its config validation. */
function expectServerConfig(env: Record<string, string>, where: string): void {
  for (const name of Object.keys(env)) {
    expect(CONFIG_VARIABLES, `${where}: ${name} is a variable the server reads`).toContain(name);
  }
  // Values with ${...} (compose interpolation) are checked with a stand-in.
  const concrete = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{[^}]*:-([^}]*)\}/g, '$1')]));
  expect(() => loadConfig(concrete), where).not.toThrow();
}

describe('Kubernetes manifests', () => {
  it('are a Deployment, Service, HPA on CPU, PodDisruptionBudget, ConfigMap and Secret that fit together', () => {
    const deployment = kind('Deployment');
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(kind('Service').spec.selector).toEqual(labels);
    expect(kind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(labels);
    expect(kind('PodDisruptionBudget').spec.minAvailable).toBeLessThan(deployment.spec.replicas);

    const hpa = kind('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(kind('PodDisruptionBudget').spec.minAvailable + 1);

    const container = deployment.spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet.path).toBe('/api/health');
    expect(container.readinessProbe.httpGet.path).toBe('/api/ready');
    expect(container.resources.requests.cpu, 'the HPA needs a CPU request').toBeDefined();
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const from = (container.envFrom as Doc[]).map((e) => e.configMapRef?.name ?? e.secretRef?.name);
    expect(from).toEqual([kind('ConfigMap').metadata.name, kind('Secret').metadata.name]);
  });

  it('configure the server only with variables it reads, with values it accepts', () => {
    expectServerConfig({ ...kind('ConfigMap').data, ...kind('Secret').stringData }, 'ConfigMap + Secret');
  });

  it('are all listed in the kustomization, which kubectl renders offline', async () => {
    const listed = (yaml.load(read('k8s', 'kustomization.yaml')) as Doc).resources as string[];
    const files = readdirSync(path.join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...listed].sort()).toEqual(files.sort());
    let rendered: string;
    try {
      rendered = (await run('kubectl', ['kustomize', path.join(DEPLOY, 'k8s')], { timeout: 30_000 })).stdout;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return console.log('[deploy] kubectl not installed: kustomize rendering not checked');
      throw error;
    }
    expect((yaml.loadAll(rendered) as Doc[]).map((d) => d.kind).sort()).toEqual(k8s.map((d) => d.kind).sort());
  });
});

describe('compose file', () => {
  const compose = yaml.load(read('compose.yaml')) as Doc;

  it('holds the whole topology: lb, three instances, Postgres primary and replica, a three-node Redis Cluster', () => {
    const services = Object.keys(compose.services);
    for (const name of [
      'lb',
      'instance-1',
      'instance-2',
      'instance-3',
      'postgres-primary',
      'postgres-replica',
      'redis-1',
      'redis-2',
      'redis-3',
    ]) {
      expect(services).toContain(name);
    }
    expect((compose.services['postgres-replica'].entrypoint as string[]).join(' ')).toContain('pg_basebackup');
    expect(compose.services['redis-1'].command).toContain('--cluster-enabled');
    expect((compose.services['redis-cluster-init'].entrypoint as string[]).join(' ')).toContain('--cluster create');
  });

  it('points the lb at the instances the upstreams file names, and trusts only the lb', () => {
    const upstreams = [...read('nginx', 'duet-upstreams.conf').matchAll(/^server (\S+):8080 /gm)].map((m) => m[1]);
    expect(upstreams).toEqual(['instance-1', 'instance-2', 'instance-3']);
    const lbAddress = compose.services.lb.networks.duet.ipv4_address;
    for (const name of upstreams) {
      const env = compose.services[name as string].environment as Record<string, string>;
      expect(env.TRUST_PROXY).toBe(lbAddress);
      expectServerConfig(env, name as string);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('is multi-stage, non-root, with a healthcheck, production dependencies only and no tsx at run time', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/deploy --prod/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/api\/health/m);
    expect(runtime).toMatch(/^CMD \["node", "--enable-source-maps", "dist\/main.js"\]$/m);
    expect(runtime).not.toContain('tsx');
  });
});

describe('nginx config', () => {
  const conf = read('nginx', 'duet.conf');

  it('has least connections, passive health checks, keep-alive upstreams, WebSocket upgrade and X-Forwarded-*', () => {
    expect(conf).toMatch(/^\s*least_conn;$/m);
    expect(conf).toMatch(/^\s*keepalive \d+;$/m);
    expect(read('nginx', 'duet-upstreams.conf')).toMatch(/max_fails=\d+ fail_timeout=\d+s;/);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$duet_connection;/);
    for (const header of ['X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host'])
      expect(conf).toContain(`proxy_set_header ${header} `);
  });

  it('is accepted by nginx -t as the topology renders it', async () => {
    const prefix = mkdtempSync(path.join(os.tmpdir(), 'duet-nginx-check-'));
    try {
      const rendered = renderNginx(prefix, 18080, [18081, 18082, 18083]);
      await checkNginx(prefix, rendered);
      const written = readFileSync(path.join(prefix, 'duet.conf'), 'utf8');
      expect(written).toContain('listen 127.0.0.1:18080;');
      expect(readFileSync(path.join(prefix, 'duet-upstreams.conf'), 'utf8')).toContain(
        'server 127.0.0.1:18083 max_fails=3 fail_timeout=10s;',
      );
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  it('is refused by nginx -t when broken (the check checks)', async () => {
    const prefix = mkdtempSync(path.join(os.tmpdir(), 'duet-nginx-check-'));
    try {
      const rendered = renderNginx(prefix, 18080, []);
      // An upstream block with no server in it is an error nginx reports.
      await expect(checkNginx(prefix, rendered)).rejects.toThrow(/nginx -t refused/);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});
