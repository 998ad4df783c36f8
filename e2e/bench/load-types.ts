/** Messages between the engines load bench (load.ts) and its device processes (load-worker.ts). */
import type { RequestTiming } from './node-device.ts';

/** What the parent tells a device process to do; each order gets one reply. */
export type LoadOrder =
  | {
      type: 'signup';
      baseUrl: string;
      /** Makes the run's emails unique. */
      run: string;
      /** The devices this process holds, by their index in the whole run. */
      indices: number[];
      /** Signups at once from this process (scrypt is slow on purpose). */
      concurrency: number;
      pushBatchSize: number;
    }
  /** Every device creates a conversation, adds this many messages and syncs; timings recorded. */
  | { type: 'push'; messages: number }
  /** Every device syncs once more (nothing new to pull); timings recorded. */
  | { type: 'emptyPull' };

export type LoadReply =
  | { type: 'signedUp'; devices: number }
  | {
      type: 'phaseDone';
      /** Every request the phase made, timed to the end of its body. */
      timings: RequestTiming[];
      /** Errors other than HTTP statuses (which are in the timings), by kind. */
      errorKinds: Record<string, number>;
    }
  | { type: 'failed'; error: string };
