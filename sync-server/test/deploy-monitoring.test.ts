// The Prometheus rules and the Grafana dashboard in sync-server/deploy: promtool (Debian's
// prometheus package) checks the rules and runs their unit tests, and every dashboard query must
// parse as PromQL. No promtool is a failure, not a skip.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const DEPLOY = fileURLToPath(new URL('../deploy', import.meta.url));
const RULES = path.join(DEPLOY, 'prometheus', 'duet-alerts.yml');
const RULE_TESTS = path.join(DEPLOY, 'prometheus', 'duet-alerts.test.yml');
const DASHBOARD = path.join(DEPLOY, 'grafana', 'duet-dashboard.json');

async function promtool(args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd, timeout: 60_000 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool is required (apt-get install prometheus)');
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const alertNames = (text: string) => [...text.matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]);

interface Panel {
  title: string;
  targets: { expr: string }[];
}

describe('Prometheus rules', () => {
  it('pass promtool check rules', async () => {
    const result = await promtool(['check', 'rules', RULES], DEPLOY);
    expect(result.ok, result.output).toBe(true);
  });

  it('pass their promtool unit tests, which cover every alert, firing and not', async () => {
    const result = await promtool(['test', 'rules', path.basename(RULE_TESTS)], path.dirname(RULE_TESTS));
    expect(result.ok, result.output).toBe(true);
    const tests = readFileSync(RULE_TESTS, 'utf8');
    const alerts = alertNames(readFileSync(RULES, 'utf8'));
    expect(alerts.length).toBeGreaterThanOrEqual(9);
    for (const alert of alerts) expect(tests, `a test of ${alert}`).toMatch(new RegExp(`alertname: ${alert}\\b`));
  });

  it('cover the figures the plans name', () => {
    const rules = readFileSync(RULES, 'utf8');
    for (const threshold of [
      '> 0.2',
      '> 0.05',
      '> 0.0005',
      '< 0.85',
      'duet_ws_message_latency',
      'duet_replica_lag_seconds',
      'duet_job_queue_depth',
      'duet_pg_pool_waiting',
    ]) {
      expect(rules).toContain(threshold);
    }
  });

  it('fail promtool when an expectation is wrong (the unit tests assert something)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'duet-promtool-'));
    try {
      writeFileSync(path.join(dir, 'duet-alerts.yml'), readFileSync(RULES));
      // The API latency alert now expects a p95 it is not given.
      writeFileSync(path.join(dir, 'broken.test.yml'), readFileSync(RULE_TESTS, 'utf8').replace('API p95 is 487.5ms', 'API p95 is 100ms'));
      const result = await promtool(['test', 'rules', 'broken.test.yml'], dir);
      expect(result.ok).toBe(false);
      expect(result.output).toContain('DuetApiLatencyHigh');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    uid: string;
    panels: Panel[];
    templating: { list: { name: string }[] };
  };

  it('has a panel per figure, each on the Prometheus datasource variable', () => {
    expect(dashboard.uid).toBe('duet-overview');
    expect(dashboard.templating.list.map((v) => v.name)).toContain('datasource');
    const titles = dashboard.panels.map((p) => p.title).join('\n');
    for (const figure of [
      'API p95',
      'Database query p95',
      'Error rate',
      'Cache hit rate',
      'WebSocket',
      'Replica lag',
      'Job queue',
      'pool saturation',
    ]) {
      expect(titles).toContain(figure);
    }
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
  });

  it('queries only valid PromQL and only recorded series the rules define', async () => {
    const rules = readFileSync(RULES, 'utf8');
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    for (const recorded of exprs.flatMap((e) => [...e.matchAll(/duet:[a-z0-9_:]+/g)].map((m) => m[0]))) {
      expect(rules, `the rules record ${recorded}`).toContain(`record: ${recorded}`);
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'duet-dashboard-'));
    try {
      const group = exprs.map((expr, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(expr)}`);
      writeFileSync(path.join(dir, 'dashboard.yml'), `groups:\n  - name: dashboard\n    rules:\n${group.join('\n')}\n`);
      const result = await promtool(['check', 'rules', 'dashboard.yml'], dir);
      expect(result.ok, result.output).toBe(true);
      expect(result.output).toContain(`${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
