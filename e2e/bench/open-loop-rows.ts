/** The open-loop bench's figures as rows of the report (README table and chart). */
import type { CpuComparisonSide, OpenLoopResult, PhaseResult } from './open-loop.ts';
import type { Row } from './report.ts';

function conditionsOf(result: OpenLoopResult, machine: string, phase?: PhaseResult): string {
  const who = `${result.users.pairs} pairs pushing 1–25 messages into a shared conversation and pulling, ${result.users.solo} idle devices; mix push 40 %, pull 25 %, empty pull 20 %, stats 10 %, /me 5 %`;
  const cpu = phase
    ? `; CPU in the phase: server ${phase.cpu.server} ms, Postgres ${phase.cpu.postgres} ms, Redis ${phase.cpu.redis} ms, load ${phase.cpu.load} ms, other work on the machine ${phase.cpu.other} ms`
    : '';
  return `open loop (arrival rate fixed, latency from when each request was due) from ${result.workers} load processes; server in its own process (tsx); ${who}; ${result.label}; ${machine}${cpu}`;
}

export function openLoopRows(result: OpenLoopResult, machine: string, comparison: CpuComparisonSide[] | null): Row[] {
  const rows: Row[] = [];
  for (const phase of result.phases.filter((p) => !p.name.includes('only') && !p.name.startsWith('ramp'))) {
    const c = conditionsOf(result, machine, phase);
    rows.push({
      figure: `open loop ${phase.name}: p50 / p95 / p99`,
      value: phase.all.p95,
      unit: `ms p95 (p50 ${phase.all.p50}, p99 ${phase.all.p99}; ${phase.achievedRate}/s answered)`,
      target: '< 50 ms',
      met: phase.all.p95 < 50 && phase.errorCount === 0,
      conditions: c,
    });
    const push = phase.routes.push;
    const pull = phase.routes.pull;
    const empty = phase.routes.emptyPull;
    rows.push({
      figure: `open loop ${phase.name}: p95 push / pull / empty pull / stats`,
      value: push?.p95 ?? null,
      unit: `ms push (pull ${pull?.p95 ?? '–'}, empty pull ${empty?.p95 ?? '–'}, stats ${phase.routes.stats?.p95 ?? '–'}, /me ${phase.routes.me?.p95 ?? '–'})`,
      target: '(reported)',
      met: null,
      conditions: c,
    });
    rows.push({
      figure: `open loop ${phase.name}: errors`,
      value: phase.errorCount,
      unit: Object.keys(phase.errors).length
        ? `(${Object.entries(phase.errors)
            .map(([k, n]) => `${k}: ${n}`)
            .join('; ')})`
        : '',
      target: '0',
      met: phase.errorCount === 0,
      conditions: c,
    });
    rows.push({
      figure: `open loop ${phase.name}: server CPU per request`,
      value: phase.serverCpuMsPerRequest,
      unit: 'ms',
      target: '< 0.7 ms',
      met: phase.serverCpuMsPerRequest < 0.7,
      conditions: c,
    });
  }
  const c = conditionsOf(result, machine);
  rows.push({
    figure: 'open loop: highest rate with p95 < 50 ms',
    value: result.highestRateP95Under50,
    unit: 'requests/s',
    target: '≥ 1200/s',
    met: result.highestRateP95Under50 === null ? false : result.highestRateP95Under50 >= 1200,
    conditions: `${c}; fixed rates and the ramp (${
      result.phases
        .filter((p) => p.name.startsWith('ramp'))
        .map((p) => `${p.targetRate}/s p95 ${p.all.p95} ms`)
        .join(', ') || 'no ramp'
    }); saturated at ${result.saturatedAt ?? 'no step tried'}`,
  });
  const pushOnly = result.phases.find((p) => p.name.startsWith('push only'));
  const pullOnly = result.phases.find((p) => p.name.startsWith('pull only'));
  rows.push({
    figure: 'server CPU per push / per pull',
    value: result.serverCpuMsPerPush,
    unit: `ms per push (${result.serverCpuMsPerPull} per pull)`,
    target: '< 0.7 ms',
    met: result.serverCpuMsPerPush === null ? null : result.serverCpuMsPerPush < 0.7 && (result.serverCpuMsPerPull ?? 1) < 0.7,
    conditions: `server process CPU (/proc) over requests answered, phases of pushes only and of pulls only (pull 25 : empty pull 20) at 300/s; push p95 ${pushOnly?.all.p95 ?? '–'} ms, pull p95 ${pullOnly?.all.p95 ?? '–'} ms; ${c}`,
  });
  const [before, after] = comparison ?? [];
  if (before && after) {
    const cc = `two servers at once, phases alternating (before, after, before, ...) so the machine's other load hits both alike, 100 requests/s each, medians of the rounds; CPU from /proc over requests answered; ${machine}`;
    rows.push({
      figure: 'leaner push: server CPU per push, before → after',
      value: after.serverPerPush,
      unit: `ms (before ${before.serverPerPush} ms; ${before.label})`,
      target: '(lower)',
      met: after.serverPerPush < before.serverPerPush,
      conditions: cc,
    });
    rows.push({
      figure: 'leaner push: Postgres CPU per push, before → after',
      value: after.postgresPerPush,
      unit: `ms (before ${before.postgresPerPush} ms)`,
      target: '(lower)',
      met: after.postgresPerPush < before.postgresPerPush,
      conditions: cc,
    });
    rows.push({
      figure: 'server CPU per pull, before → after',
      value: after.serverPerPull,
      unit: `ms (before ${before.serverPerPull} ms)`,
      target: '(reported)',
      met: null,
      conditions: cc,
    });
  }
  return rows;
}
