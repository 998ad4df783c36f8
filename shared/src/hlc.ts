/**
 * Hybrid logical clock: "<wall ms, 15 digits>:<counter, 5 digits>:<clientId>".
 * The fixed widths make plain string comparison equal to time order, with the clientId as the
 * final tie-break ("equal hlc: the larger clientId wins").
 */
/** The one definition of an hlc's shape (entities and mutation envelopes are checked against it). */
export const HLC_PATTERN = /^(\d{15}):(\d{5}):([A-Za-z0-9_-]{1,64})$/;
const MAX_COUNTER = 99_999;
/** The server clamps an hlc whose wall time is further ahead of its clock than this. */
export const MAX_CLOCK_AHEAD_MS = 60_000;

export interface Hlc {
  wall: number;
  counter: number;
  clientId: string;
}

export class HlcParseError extends Error {}

export function parseHlc(value: string): Hlc {
  const match = HLC_PATTERN.exec(value);
  if (!match) throw new HlcParseError(`not an hlc: ${JSON.stringify(value).slice(0, 80)}`);
  return { wall: Number(match[1]), counter: Number(match[2]), clientId: match[3] as string };
}

export function isHlc(value: unknown): value is string {
  return typeof value === 'string' && HLC_PATTERN.test(value);
}

export function formatHlc(hlc: Hlc): string {
  return `${String(hlc.wall).padStart(15, '0')}:${String(hlc.counter).padStart(5, '0')}:${hlc.clientId}`;
}

export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function createHlc(clientId: string): Hlc {
  return { wall: 0, counter: 0, clientId };
}

function normalise(wall: number, counter: number, clientId: string): Hlc {
  // A counter that would overflow its 5 digits moves the wall clock on by one millisecond instead.
  return counter > MAX_COUNTER ? { wall: wall + 1, counter: 0, clientId } : { wall, counter, clientId };
}

/** Advances the clock for a local event (a mutation made on this device). */
export function tickHlc(clock: Hlc, now: number): Hlc {
  const wall = Math.max(clock.wall, Math.floor(now));
  return normalise(wall, wall === clock.wall ? clock.counter + 1 : 0, clock.clientId);
}

/** Advances the clock on receiving a remote time: an hlc string or a server time in ms. */
export function receiveHlc(clock: Hlc, remote: string | number, now: number): Hlc {
  const other = typeof remote === 'number' ? { wall: Math.floor(remote), counter: 0 } : parseHlc(remote);
  const wall = Math.max(clock.wall, other.wall, Math.floor(now));
  let counter: number;
  if (wall === clock.wall && wall === other.wall) counter = Math.max(clock.counter, other.counter) + 1;
  else if (wall === clock.wall) counter = clock.counter + 1;
  else if (wall === other.wall) counter = other.counter + 1;
  else counter = 0;
  return normalise(wall, counter, clock.clientId);
}

/** Brings an hlc whose wall time is more than MAX_CLOCK_AHEAD_MS ahead of `now` back to `now`. */
export function clampHlc(value: string, now: number): string {
  const hlc = parseHlc(value);
  if (hlc.wall <= now + MAX_CLOCK_AHEAD_MS) return value;
  return formatHlc({ wall: Math.floor(now), counter: hlc.counter, clientId: hlc.clientId });
}

export function hlcWall(value: string): number {
  return parseHlc(value).wall;
}

export function hlcClientId(value: string): string {
  return parseHlc(value).clientId;
}
