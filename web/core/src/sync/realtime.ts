/**
 * The real-time channel (GET /api/sync/ws): pokes make the engine pull at once instead of waiting
 * for its periodic timer, and partners' presence (online, offline, typing) is kept for the UI.
 * Framework-free, with the socket constructor, clock, timers, jitter and signals injected.
 *
 * While started with a token it stays connected: it authenticates with the first frame, and after
 * a close or an error it reconnects with exponential backoff and jitter, at once when the device
 * comes back online or the page becomes visible. A 4401 close stops it: the token is bad, and the
 * engine (poked once) finds out through its own 401 and signs the user out.
 */
import { backoffDelay } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { systemClock, systemTimers } from './platform.ts';
import type { Clock, Signal, TimerHandle, Timers } from './platform.ts';
import { CLOSE_BAD_FRAME, CLOSE_UNAUTHORIZED, encodeClientFrame, isValidConversationId, parseServerFrame } from './realtime-frames.ts';
import type { Activity, ClientFrame, JobFrame } from './realtime-frames.ts';
import { PresenceStore } from './realtime-presence.ts';
import type { PresenceMap } from './realtime-presence.ts';

/** The part of the browser's WebSocket we use; method syntax so the DOM type fits it. */
export interface RealtimeSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number }) => void): void;
}

export type RealtimeSocketConstructor = new (url: string) => RealtimeSocket;

/**
 * `stopped`: not started (signed out); `unavailable`: no WebSocket or no URL on this platform;
 * `offline`: waiting for the network; `connecting`: socket opening or auth not yet answered;
 * `connected`: authenticated; `waiting`: a reconnect is scheduled at `retryAt`;
 * `unauthorized`: the server refused the token (4401), nothing more is tried with it.
 */
export type RealtimeStatus = 'stopped' | 'unavailable' | 'offline' | 'connecting' | 'connected' | 'waiting' | 'unauthorized';

/** A transcript's analysis job as the socket last described it (see JobFrame). */
export interface LiveJob {
  /** The transcript's submission it is about: a status of an earlier one says nothing of the current. */
  submission: number;
  status: JobFrame['status'];
  progress?: number;
  /** When we heard it (our clock). */
  at: number;
}

export interface RealtimeSnapshot {
  status: RealtimeStatus;
  retryAt: number | null;
  partners: PresenceMap;
  /** By transcript id: jobs heard of since sign-in (the synced transcript catches up on the next pull). */
  jobs: Readonly<Record<string, LiveJob>>;
}

const ACTIVITY_RANK: Record<Activity, number> = { recording: 3, reviewing: 2, idle: 1 };

export interface RealtimeClientOptions {
  /** Told about every poke; SyncEngine.poke coalesces them. */
  engine: { poke(): void };
  /** The socket URL (see realtimeUrl); null where there is none. */
  url: string | null;
  /** The WebSocket constructor; globalThis.WebSocket, looked up at each connect, by default. */
  WebSocket?: RealtimeSocketConstructor;
  clock?: Clock;
  timers?: Timers;
  random?: () => number;
  online?: Signal;
  visibility?: Signal;
  backoff?: BackoffPolicy;
  typingTtlMs?: number;
  /** Least pause between two typing frames for the same conversation (default 2 s). */
  typingThrottleMs?: number;
}

export const REALTIME_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };
/** Looked up at each connect, not bound once, so a test double installed later is seen. */
function browserWebSocket(): RealtimeSocketConstructor | undefined {
  return typeof WebSocket === 'undefined' ? undefined : WebSocket;
}

const ALWAYS: Signal = { get: () => true, subscribe: () => () => undefined };
const OPEN = 1;

export class RealtimeClient {
  readonly #engine: { poke(): void };
  readonly #url: string | null;
  readonly #WebSocket: RealtimeSocketConstructor | undefined;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #online: Signal;
  readonly #visibility: Signal;
  readonly #backoff: BackoffPolicy;
  readonly #typingThrottleMs: number;
  readonly #presence: PresenceStore;
  readonly #listeners = new Set<(snapshot: RealtimeSnapshot) => void>();
  readonly #detach: Array<() => void> = [];
  #token: string | null = null;
  #socket: RealtimeSocket | null = null;
  #timer: TimerHandle | null = null;
  #failures = 0;
  #lastTyping: { conversationId: string; at: number } | null = null;
  #snapshot: RealtimeSnapshot;
  readonly #claims = new Map<number, Activity>();
  #nextClaim = 0;
  #sharing = true;
  /** What this socket has told the server we do; null (the server's default) means not shared. */
  #sentActivity: Activity | null = null;

  constructor(options: RealtimeClientOptions) {
    this.#engine = options.engine;
    this.#url = options.url;
    this.#WebSocket = options.WebSocket;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#random = options.random ?? Math.random;
    this.#online = options.online ?? ALWAYS;
    this.#visibility = options.visibility ?? ALWAYS;
    this.#backoff = options.backoff ?? REALTIME_BACKOFF;
    this.#typingThrottleMs = options.typingThrottleMs ?? 2000;
    this.#presence = new PresenceStore({
      clock: this.#clock,
      timers: this.#timers,
      ...(options.typingTtlMs !== undefined ? { typingTtlMs: options.typingTtlMs } : {}),
      onChange: () => this.#update({ partners: this.#presence.get() }),
    });
    this.#snapshot = { status: 'stopped', retryAt: null, partners: this.#presence.get(), jobs: {} };
  }

  /**
   * Says this device is doing `activity` (recording, reviewing) until the returned function is
   * called; the strongest claim wins, `idle` without any. Partners hear it while sharing is on.
   */
  claimActivity(activity: Activity): () => void {
    const id = this.#nextClaim++;
    this.#claims.set(id, activity);
    this.#syncActivity();
    return () => {
      if (this.#claims.delete(id)) this.#syncActivity();
    };
  }

  /** What this device is doing, as claimed. */
  get activity(): Activity {
    let best: Activity = 'idle';
    for (const claim of this.#claims.values()) if (ACTIVITY_RANK[claim] > ACTIVITY_RANK[best]) best = claim;
    return best;
  }

  /** Whether partners hear what this device is doing (they always hear online and last seen). */
  setActivitySharing(on: boolean): void {
    this.#sharing = on;
    this.#syncActivity();
  }

  #syncActivity(): void {
    if (this.#snapshot.status !== 'connected') return;
    const wanted = this.#sharing ? this.activity : null;
    if (wanted === this.#sentActivity) return;
    if (this.#send({ type: 'activity', activity: wanted })) this.#sentActivity = wanted;
  }

  /** Connects with `token` and stays connected until stop(); a no-op while running with it. */
  start(token: string): void {
    if (this.#token === token && this.#snapshot.status !== 'unauthorized') return;
    this.stop();
    this.#token = token;
    this.#failures = 0;
    this.#detach.push(
      this.#online.subscribe((online) => (online ? this.#reconnectNow() : this.#goOffline())),
      this.#visibility.subscribe((visible) => {
        if (visible) this.#reconnectNow();
      }),
    );
    this.#connect();
  }

  /** Closes the socket, cancels retries and forgets presence (sign-out, client closed). */
  stop(): void {
    for (const detach of this.#detach.splice(0)) detach();
    this.#token = null;
    this.#clearTimer();
    this.#dropSocket(1000, 'stopped');
    this.#presence.clear();
    this.#lastTyping = null;
    this.#update({ status: 'stopped', retryAt: null, jobs: {} });
  }

  /** Drops the socket and opens a new one at once (while started and not refused). */
  reconnect(): void {
    if (this.#token === null || this.#snapshot.status === 'unauthorized') return;
    this.#clearTimer();
    this.#dropSocket(1000, 'reconnect');
    this.#presence.clear();
    this.#failures = 0;
    this.#connect();
  }

  getSnapshot(): RealtimeSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: (snapshot: RealtimeSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Tells partners we are typing in `conversationId`. At most one frame per `typingThrottleMs` for
   * the same conversation; returns whether a frame went out (false when not connected).
   */
  sendTyping(conversationId: string): boolean {
    if (this.#snapshot.status !== 'connected' || !isValidConversationId(conversationId)) return false;
    const now = this.#clock.now();
    const last = this.#lastTyping;
    if (last && last.conversationId === conversationId && now - last.at < this.#typingThrottleMs) return false;
    if (!this.#send({ type: 'typing', conversationId })) return false;
    this.#lastTyping = { conversationId, at: now };
    return true;
  }

  #connect(): void {
    this.#clearTimer();
    const token = this.#token;
    if (token === null || this.#socket) return;
    if (!this.#online.get()) return this.#update({ status: 'offline', retryAt: null });
    const Socket = this.#WebSocket ?? browserWebSocket();
    if (!Socket || this.#url === null) return this.#update({ status: 'unavailable', retryAt: null });
    let socket: RealtimeSocket;
    try {
      socket = new Socket(this.#url);
    } catch {
      return this.#scheduleReconnect();
    }
    this.#socket = socket;
    this.#sentActivity = null;
    this.#update({ status: 'connecting', retryAt: null });
    socket.addEventListener('open', () => {
      if (socket === this.#socket) this.#send({ type: 'auth', token });
    });
    socket.addEventListener('message', (event) => {
      if (socket === this.#socket) this.#receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (socket === this.#socket) this.#closed(event.code);
    });
    // Browsers follow an error with a close; handle it now in case this platform does not.
    socket.addEventListener('error', () => {
      if (socket !== this.#socket) return;
      this.#dropSocket(1000, 'error');
      this.#closed(null);
    });
  }

  #receive(data: unknown): void {
    const parsed = parseServerFrame(data);
    if (parsed.kind === 'unknown') return;
    if (parsed.kind === 'invalid') {
      // Like the server with ours: a malformed frame ends the connection; we come back later.
      this.#dropSocket(CLOSE_BAD_FRAME, 'malformed frame');
      this.#closed(CLOSE_BAD_FRAME);
      return;
    }
    const { frame } = parsed;
    if (this.#snapshot.status !== 'connected') {
      // The server only talks to an authenticated socket: its first frame is our welcome.
      this.#failures = 0;
      this.#update({ status: 'connected', retryAt: null });
      this.#syncActivity();
    }
    if (frame.type === 'poke') this.#engine.poke();
    else if (frame.type === 'job') {
      const job: LiveJob = {
        submission: frame.submission,
        status: frame.status,
        at: this.#clock.now(),
        ...(frame.progress !== undefined ? { progress: frame.progress } : {}),
      };
      this.#update({ jobs: { ...this.#snapshot.jobs, [frame.transcriptId]: job } });
    } else
      this.#presence.apply(frame.userId, frame.state, {
        conversationId: frame.conversationId,
        activity: frame.activity,
        lastSeen: frame.lastSeen,
      });
  }

  /** The socket is gone (already dropped); decide what comes next. */
  #closed(code: number | null): void {
    this.#socket = null;
    this.#presence.clear();
    if (this.#token === null) return;
    if (code === CLOSE_UNAUTHORIZED) {
      // Reconnecting with this token would be refused again; the engine's 401 signs the user out.
      this.#update({ status: 'unauthorized', retryAt: null });
      this.#engine.poke();
      return;
    }
    if (!this.#online.get()) return this.#update({ status: 'offline', retryAt: null });
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#clearTimer();
    const delay = backoffDelay(this.#failures, this.#random, this.#backoff);
    this.#failures += 1;
    this.#update({ status: 'waiting', retryAt: this.#clock.now() + delay });
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, delay);
  }

  /** Online again or visible again: a scheduled retry is cut short. */
  #reconnectNow(): void {
    if (this.#token === null || this.#socket || this.#snapshot.status === 'unauthorized') return;
    this.#failures = 0;
    this.#connect();
  }

  #goOffline(): void {
    if (this.#token === null || this.#snapshot.status === 'unauthorized') return;
    this.#clearTimer();
    this.#dropSocket(1000, 'offline');
    this.#presence.clear();
    this.#update({ status: 'offline', retryAt: null });
  }

  #send(frame: ClientFrame): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return false;
    try {
      socket.send(encodeClientFrame(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Forgets the current socket first, so its own close event is ignored, then closes it. */
  #dropSocket(code: number, reason: string): void {
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return;
    try {
      socket.close(code, reason);
    } catch {
      // Already closed or closing.
    }
  }

  #clearTimer(): void {
    if (this.#timer === null) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #update(patch: Partial<RealtimeSnapshot>): void {
    const next = { ...this.#snapshot, ...patch };
    if (
      next.status === this.#snapshot.status &&
      next.retryAt === this.#snapshot.retryAt &&
      next.partners === this.#snapshot.partners &&
      next.jobs === this.#snapshot.jobs
    )
      return;
    this.#snapshot = next;
    for (const listener of [...this.#listeners]) listener(next);
  }
}
