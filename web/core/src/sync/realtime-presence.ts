/**
 * What we last heard about each partner over the socket. The server never says "stopped typing",
 * so a typing state falls back to online after `typingTtlMs` unless a newer typing frame renews it.
 */
import type { Clock, TimerHandle, Timers } from './platform.ts';
import type { Activity, PresenceState } from './realtime-frames.ts';

export interface PartnerPresence {
  state: PresenceState;
  /** The conversation a typing partner types in. */
  conversationId?: string;
  /** What an online partner is doing, when they share it. */
  activity?: Activity;
  /** When an offline partner was last seen (server ms), when known. */
  lastSeen?: number;
  /** When we heard it (our clock). */
  at: number;
}

/** What a presence frame says beyond its state. */
export interface PresenceDetails {
  conversationId?: string | undefined;
  activity?: Activity | undefined;
  lastSeen?: number | undefined;
}

export type PresenceMap = Readonly<Record<string, PartnerPresence>>;

export const DEFAULT_TYPING_TTL_MS = 5000;

export class PresenceStore {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #typingTtlMs: number;
  readonly #onChange: () => void;
  readonly #expiry = new Map<string, TimerHandle>();
  #partners: PresenceMap = {};

  constructor(deps: { clock: Clock; timers: Timers; typingTtlMs?: number; onChange: () => void }) {
    this.#clock = deps.clock;
    this.#timers = deps.timers;
    this.#typingTtlMs = deps.typingTtlMs ?? DEFAULT_TYPING_TTL_MS;
    this.#onChange = deps.onChange;
  }

  /** An immutable snapshot: a new object after every change, the same one until then. */
  get(): PresenceMap {
    return this.#partners;
  }

  apply(userId: string, state: PresenceState, details: PresenceDetails = {}): void {
    this.#cancelExpiry(userId);
    const at = this.#clock.now();
    // Typing says nothing of the activity: the one heard before still holds.
    const activity = state === 'typing' ? this.#partners[userId]?.activity : state === 'online' ? details.activity : undefined;
    const next: PartnerPresence = {
      state,
      at,
      ...(state === 'typing' && details.conversationId !== undefined ? { conversationId: details.conversationId } : {}),
      ...(activity !== undefined ? { activity } : {}),
      ...(state === 'offline' && details.lastSeen !== undefined ? { lastSeen: details.lastSeen } : {}),
    };
    if (state === 'typing') {
      this.#expiry.set(
        userId,
        this.#timers.setTimeout(() => {
          this.#expiry.delete(userId);
          const still = this.#partners[userId]?.activity;
          this.#set(userId, { state: 'online', at: this.#clock.now(), ...(still !== undefined ? { activity: still } : {}) });
        }, this.#typingTtlMs),
      );
    }
    this.#set(userId, next);
  }

  /** Forgets everyone: without a socket we know nothing, and a new one tells us who is online. */
  clear(): void {
    for (const userId of [...this.#expiry.keys()]) this.#cancelExpiry(userId);
    if (Object.keys(this.#partners).length === 0) return;
    this.#partners = {};
    this.#onChange();
  }

  #set(userId: string, presence: PartnerPresence): void {
    this.#partners = { ...this.#partners, [userId]: presence };
    this.#onChange();
  }

  #cancelExpiry(userId: string): void {
    const handle = this.#expiry.get(userId);
    if (handle === undefined) return;
    this.#timers.clearTimeout(handle);
    this.#expiry.delete(userId);
  }
}
