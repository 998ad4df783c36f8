/**
 * Who is online, across every instance and device: each authenticated socket is an entry with the
 * time of its last heartbeat, and a person is online while any entry of theirs is younger than the
 * expiry bound. An instance that dies stops beating, so its sockets expire on their own. Also kept
 * per person: when they were last seen (their last entry's last beat) and what each socket says
 * they are doing, while they share it.
 */
import type { Activity } from '@duet/shared';

export interface PresenceState {
  online: boolean;
  /** What the person is doing on the device that matters most (recording > reviewing > idle); null when no device shares it. */
  activity: Activity | null;
  /** Server ms of the last beat of the person's last device, once they have gone offline; null when never seen or online. */
  lastSeen: number | null;
}

export interface PresenceStore {
  /** Adds a socket (its id unique across instances). */
  join(userId: string, socketId: string, now: number): Promise<PresenceState>;
  /** Removes a socket; the answer says whether another of the person's devices is still online. */
  leave(userId: string, socketId: string, now: number): Promise<PresenceState>;
  /** Sets what a socket says the person is doing (null: not shared); ignored for a socket that is not there. */
  setActivity(userId: string, socketId: string, activity: Activity | null, now: number): Promise<PresenceState>;
  /** Renews these sockets' entries (the instance is alive). */
  beat(sockets: ReadonlyArray<{ userId: string; socketId: string }>, now: number): Promise<void>;
  /** The state of each person, expired entries left out. */
  read(userIds: readonly string[], now: number): Promise<Map<string, PresenceState>>;
}

const RANK: Record<Activity, number> = { recording: 3, reviewing: 2, idle: 1 };

/** The activity that matters most of those shared; null when none is. */
export function strongestActivity(activities: Iterable<string>): Activity | null {
  let best: Activity | null = null;
  for (const value of activities) {
    if (value !== 'recording' && value !== 'reviewing' && value !== 'idle') continue;
    if (best === null || RANK[value] > RANK[best]) best = value;
  }
  return best;
}

interface UserEntries {
  beats: Map<string, number>;
  activities: Map<string, Activity>;
  lastSeen: number | null;
}

/** The in-process store: one instance (no Redis), or this instance's own sockets while Redis is unreachable. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly users = new Map<string, UserEntries>();

  constructor(private readonly expiryMs: number) {}

  async join(userId: string, socketId: string, now: number): Promise<PresenceState> {
    return this.joinNow(userId, socketId, now);
  }

  joinNow(userId: string, socketId: string, now: number): PresenceState {
    const user = this.entries(userId, now);
    user.beats.set(socketId, now);
    return this.stateOf(user);
  }

  async leave(userId: string, socketId: string, now: number): Promise<PresenceState> {
    return this.leaveNow(userId, socketId, now);
  }

  leaveNow(userId: string, socketId: string, now: number): PresenceState {
    const user = this.entries(userId, now);
    if (user.beats.delete(socketId) && user.beats.size === 0) user.lastSeen = now;
    user.activities.delete(socketId);
    return this.stateOf(user);
  }

  async setActivity(userId: string, socketId: string, activity: Activity | null, now: number): Promise<PresenceState> {
    return this.setActivityNow(userId, socketId, activity, now);
  }

  setActivityNow(userId: string, socketId: string, activity: Activity | null, now: number): PresenceState {
    const user = this.entries(userId, now);
    if (user.beats.has(socketId)) {
      if (activity === null) user.activities.delete(socketId);
      else user.activities.set(socketId, activity);
    }
    return this.stateOf(user);
  }

  async beat(sockets: ReadonlyArray<{ userId: string; socketId: string }>, now: number): Promise<void> {
    this.beatNow(sockets, now);
  }

  beatNow(sockets: ReadonlyArray<{ userId: string; socketId: string }>, now: number): void {
    for (const { userId, socketId } of sockets) this.entries(userId, now).beats.set(socketId, now);
  }

  async read(userIds: readonly string[], now: number): Promise<Map<string, PresenceState>> {
    return this.readNow(userIds, now);
  }

  readNow(userIds: readonly string[], now: number): Map<string, PresenceState> {
    return new Map(userIds.map((id) => [id, this.stateOf(this.entries(id, now))]));
  }

  /** The user's entries with the expired ones dropped (their last beat becomes lastSeen). */
  private entries(userId: string, now: number): UserEntries {
    let user = this.users.get(userId);
    if (!user) {
      user = { beats: new Map(), activities: new Map(), lastSeen: null };
      this.users.set(userId, user);
    }
    let lastExpired: number | null = null;
    for (const [socketId, at] of user.beats) {
      if (at >= now - this.expiryMs) continue;
      user.beats.delete(socketId);
      user.activities.delete(socketId);
      lastExpired = Math.max(lastExpired ?? at, at);
    }
    if (lastExpired !== null && user.beats.size === 0) user.lastSeen = lastExpired;
    return user;
  }

  private stateOf(user: UserEntries): PresenceState {
    const online = user.beats.size > 0;
    return { online, activity: online ? strongestActivity(user.activities.values()) : null, lastSeen: online ? null : user.lastSeen };
  }
}
