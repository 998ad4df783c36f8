/** Messages between the open-loop bench (open-loop.ts) and its load processes (open-loop-worker.ts). */

export type RouteName = 'push' | 'pull' | 'emptyPull' | 'stats' | 'me';

export interface LoadUser {
  index: number;
  token: string;
  /** Prefix of this user's sync client ids (a device may hold several local stores). */
  clientBase: string;
  /** 'pair': pushes into the space shared with a partner and pulls what both wrote; 'solo': reads only. */
  role: 'pair' | 'solo';
  conversationId: string;
}

export interface PhaseOrder {
  type: 'phase';
  /** Requests per second from this process. */
  rate: number;
  seconds: number;
  /** Relative weights of the routes. */
  mix: Partial<Record<RouteName, number>>;
}

export interface PhaseReport {
  /** Per route, ms from when each request was due to the end of its answer. */
  latencies: Record<string, number[]>;
  errors: Record<string, number>;
  /** How long sending took (longer than the phase when the generator could not keep up). */
  sentSeconds: number;
  wallSeconds: number;
  requests: number;
  mutations: number;
  /** This process's CPU time during the phase. */
  cpuMs: number;
}
