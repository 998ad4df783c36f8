/**
 * Partner latency in the browser: two partners on two Chromium profiles (two browser processes)
 * in one shared conversation; A sends, and the time from A's send to the text in B's message log
 * is taken from the pages' own clocks (performance.timeOrigin + performance.now()).
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { openProfile, type Profile } from '../support/browser.ts';
import { linkPartners, newUser, signUp } from '../support/duet-flows.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';
import { percentile, round } from './node-device.ts';

export interface PartnerLatencyResult {
  /** Measured sends (warm-up sends not counted). */
  sends: number;
  /** Whether the time budget ran out before every planned send was made. */
  stoppedEarly: boolean;
  warmUpSends: number;
  /** Sends whose text B's screen did not show within `arrivalTimeoutMs`. */
  misses: number;
  arrivalTimeoutMs: number;
  pauseMs: number;
  /** A's submit to the message's text in B's DOM (MutationObserver), ms. */
  p50: number;
  p99: number;
  max: number;
  /** A's submit to B's next animation frame after the text appeared (the frame that paints it), ms. */
  frameP50: number;
  frameP99: number;
  /** How far B's page clock was from A's (B minus A), estimated from driver round trips, ms. */
  clockSkewMs: { atStart: number; atEnd: number; roundTripMs: number };
  /** Whether the last measured message was visible on B's screen at the end. */
  lastVisibleOnB: boolean;
  screenshot: string;
  /** The median of each stage over the sends where every stage was found. */
  stagesP50: SendStages | null;
  /** Every measured latency, in send order (null: a miss). */
  latencies: Array<number | null>;
}

export interface PartnerLatencyOptions {
  sends: number;
  warmUpSends?: number;
  arrivalTimeoutMs?: number;
  pauseMs?: number;
  /** Stop sending after this long (the section must stop by itself inside its bound). */
  budgetMs?: number;
  screenshotPath?: string;
}

interface Arrival {
  dom: number;
  frame: number | null;
}

/** A sync request as Resource Timing saw it, on the page's clock (epoch ms). */
interface SyncRequest {
  kind: 'push' | 'pull';
  start: number;
  end: number;
}

interface BenchWindow {
  __partnerBench: {
    sent: Record<string, number>;
    seen: Record<string, Arrival>;
    expected: string[];
    requests: SyncRequest[];
  };
}

/** Where a send's time went, each stage on the clock of the page it happened in, ms. */
export interface SendStages {
  /** A's submit to A's push request starting (storing it and the outbox). */
  submitToPush: number;
  /** A's push starting to B's pull starting (the server's push, the poke, B reacting). */
  pushToPartnerPull: number;
  /** B's pull that brought the message, start to end. */
  partnerPull: number;
  /** B's pull ending to the text in B's DOM (storing it, the live query, React). */
  pullToScreen: number;
}

/** On both pages: the bench's state, and every push and pull request from now on (Resource Timing). */
async function recordSyncRequests(page: Page): Promise<void> {
  await page.evaluate(() => {
    const state: BenchWindow['__partnerBench'] = { sent: {}, seen: {}, expected: [], requests: [] };
    (window as unknown as BenchWindow).__partnerBench = state;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = entry.name.endsWith('/api/sync/push') ? 'push' : entry.name.endsWith('/api/sync/pull') ? 'pull' : null;
        const timing = entry as PerformanceResourceTiming;
        if (kind)
          state.requests.push({ kind, start: performance.timeOrigin + timing.startTime, end: performance.timeOrigin + timing.responseEnd });
      }
    }).observe({ type: 'resource' });
  });
}

/** In A: the time of each composer submit, keyed by the text being sent (read before React clears it). */
async function recordSubmits(page: Page, composerId: string): Promise<void> {
  await page.evaluate((id) => {
    // Capture phase on the document runs before React's handler, which clears the composer.
    document.addEventListener(
      'submit',
      () => {
        const at = performance.timeOrigin + performance.now();
        const box = document.getElementById(id);
        if (box instanceof HTMLTextAreaElement) (window as unknown as BenchWindow).__partnerBench.sent[box.value] = at;
      },
      true,
    );
  }, composerId);
}

/** In B: the time each expected text first shows in the message log, and the next frame after it. */
async function recordArrivals(page: Page, logLabel: string): Promise<void> {
  await page.evaluate((label) => {
    const state = (window as unknown as BenchWindow).__partnerBench;
    // No named function in here: tsx's keepNames would wrap it in a `__name` the page does not have.
    new MutationObserver(() => {
      if (state.expected.length === 0) return;
      const at = performance.timeOrigin + performance.now();
      const log = [...document.querySelectorAll('[role="log"]')].find((el) => el.getAttribute('aria-label') === label);
      const text = log?.textContent ?? '';
      for (const token of state.expected) {
        if (state.seen[token] || !text.includes(token)) continue;
        const arrival: Arrival = { dom: at, frame: null };
        state.seen[token] = arrival;
        requestAnimationFrame(() => {
          arrival.frame = performance.timeOrigin + performance.now();
        });
      }
      state.expected = state.expected.filter((token) => !state.seen[token]);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  }, logLabel);
}

/** The page's clock minus the driver's, from one round trip; with the round trip's length. */
async function clockOffset(page: Page): Promise<{ offset: number; roundTrip: number }> {
  const before = performance.timeOrigin + performance.now();
  const inPage = await page.evaluate(() => performance.timeOrigin + performance.now());
  const after = performance.timeOrigin + performance.now();
  return { offset: inPage - (before + after) / 2, roundTrip: after - before };
}

/** B's clock minus A's: the best of five round trips to each page. */
async function clockSkew(a: Page, b: Page): Promise<{ skew: number; roundTrip: number }> {
  const best = async (page: Page) => {
    const samples = [];
    for (let i = 0; i < 5; i++) samples.push(await clockOffset(page));
    return samples.reduce((x, y) => (y.roundTrip < x.roundTrip ? y : x));
  };
  const [atA, atB] = [await best(a), await best(b)];
  return { skew: round(atB.offset - atA.offset, 2), roundTrip: round(Math.max(atA.roundTrip, atB.roundTrip), 2) };
}

/**
 * The stages of one send: A's first push after the submit, B's last pull that ended before the
 * text showed and started after that push did. Null when one is not found (e.g. a miss).
 */
function stagesOf(sentAt: number, domAt: number, aRequests: readonly SyncRequest[], bRequests: readonly SyncRequest[]): SendStages | null {
  const push = aRequests.find((r) => r.kind === 'push' && r.start >= sentAt);
  if (!push) return null;
  const pulls = bRequests.filter((r) => r.kind === 'pull' && r.start >= push.start && r.end <= domAt);
  const pull = pulls[pulls.length - 1];
  if (!pull) return null;
  return {
    submitToPush: push.start - sentAt,
    pushToPartnerPull: pull.start - push.start,
    partnerPull: pull.end - pull.start,
    pullToScreen: domAt - pull.end,
  };
}

const medianStages = (all: readonly SendStages[]): SendStages | null =>
  all.length === 0
    ? null
    : {
        submitToPush: round(
          percentile(
            all.map((s) => s.submitToPush),
            50,
          ),
        ),
        pushToPartnerPull: round(
          percentile(
            all.map((s) => s.pushToPartnerPull),
            50,
          ),
        ),
        partnerPull: round(
          percentile(
            all.map((s) => s.partnerPull),
            50,
          ),
        ),
        pullToScreen: round(
          percentile(
            all.map((s) => s.pullToScreen),
            50,
          ),
        ),
      };

export async function runPartnerLatency(url: string, options: PartnerLatencyOptions): Promise<PartnerLatencyResult> {
  const started = Date.now();
  const warmUpSends = options.warmUpSends ?? 2;
  const arrivalTimeoutMs = options.arrivalTimeoutMs ?? 10_000;
  const pauseMs = options.pauseMs ?? 250;
  const budgetMs = options.budgetMs ?? 240_000;
  const screenshotPath = options.screenshotPath ?? `/tmp/duet-partner-latency-${process.pid}.png`;
  const profiles: Profile[] = [];
  try {
    const [aProfile, bProfile] = await Promise.all([openProfile(), openProfile()]);
    profiles.push(aProfile, bProfile);
    const a = new DuetApp(aProfile.page);
    const b = new DuetApp(bProfile.page);
    const aUser = newUser('Alex');
    const bUser = newUser('Sam');
    await signUp(a, url, aUser);
    await signUp(b, url, bUser);
    await linkPartners(a, aUser, b, bUser, url);

    const title = 'Partner latency';
    await a.conversations.open();
    await b.conversations.open();
    await a.conversations.create(title, 'shared');
    await b.conversations.link(title).waitFor({ timeout: 20_000 });
    await a.conversations.openConversation(title);
    await b.conversations.openConversation(title);

    await recordSyncRequests(a.page);
    await recordSyncRequests(b.page);
    await recordSubmits(a.page, 'message-composer');
    await recordArrivals(b.page, uiText('en', 'conversation.messagesLabel'));
    const skewAtStart = await clockSkew(a.page, b.page);

    const run = randomBytes(3).toString('hex');
    const latencies: Array<number | null> = [];
    const frames: number[] = [];
    const timed: Array<{ sentAt: number; domAt: number }> = [];
    let lastToken = '';
    for (let i = 0; i < warmUpSends + options.sends; i++) {
      if (Date.now() - started > budgetMs) break;
      const measured = i >= warmUpSends;
      // Unique, and never a substring of another send's text.
      const token = `bench-${run}-${String(i).padStart(3, '0')}.`;
      await b.page.evaluate((t) => (window as unknown as BenchWindow).__partnerBench.expected.push(t), token);
      await a.conversation.composer.fill(token);
      await a.conversation.sendButton.click();
      let arrival: Arrival | null = null;
      try {
        const handle = await b.page.waitForFunction(
          (t) => {
            const seen = (window as unknown as BenchWindow).__partnerBench.seen[t];
            return seen && seen.frame !== null ? seen : null;
          },
          token,
          { timeout: arrivalTimeoutMs, polling: 50 },
        );
        arrival = await handle.jsonValue();
      } catch {
        arrival = null;
      }
      const sentAt = await a.page.evaluate((t) => (window as unknown as BenchWindow).__partnerBench.sent[t] ?? null, token);
      if (measured) {
        if (arrival && sentAt !== null) {
          latencies.push(round(arrival.dom - sentAt, 2));
          timed.push({ sentAt, domAt: arrival.dom });
          if (arrival.frame !== null) frames.push(arrival.frame - sentAt);
        } else latencies.push(null);
        lastToken = token;
      }
      await a.page.waitForTimeout(pauseMs);
    }
    const skewAtEnd = await clockSkew(a.page, b.page);
    const requestsOf = (page: Page) => page.evaluate(() => (window as unknown as BenchWindow).__partnerBench.requests);
    const [aRequests, bRequests] = [await requestsOf(a.page), await requestsOf(b.page)];
    const stages = timed.map((t) => stagesOf(t.sentAt, t.domAt, aRequests, bRequests)).filter((s): s is SendStages => s !== null);

    const lastVisibleOnB = lastToken !== '' && (await b.conversation.message(lastToken).isVisible());
    await b.page.screenshot({ path: screenshotPath });
    const arrived = latencies.filter((l): l is number => l !== null);
    if (arrived.length === 0) throw new Error(`none of ${latencies.length} sends reached the partner's screen`);
    return {
      sends: latencies.length,
      stoppedEarly: latencies.length < options.sends,
      warmUpSends,
      misses: latencies.length - arrived.length,
      arrivalTimeoutMs,
      pauseMs,
      p50: round(percentile(arrived, 50)),
      p99: round(percentile(arrived, 99)),
      max: round(Math.max(...arrived)),
      frameP50: round(percentile(frames, 50)),
      frameP99: round(percentile(frames, 99)),
      clockSkewMs: {
        atStart: skewAtStart.skew,
        atEnd: skewAtEnd.skew,
        roundTripMs: Math.max(skewAtStart.roundTrip, skewAtEnd.roundTrip),
      },
      lastVisibleOnB,
      screenshot: screenshotPath,
      stagesP50: medianStages(stages),
      latencies,
    };
  } finally {
    await Promise.allSettled(profiles.map((p) => p.close()));
  }
}
