/** ChangeBus instances that reach each other but not themselves, as BroadcastChannel does between tabs. */
import type { ChangeBus } from '../platform.ts';

export function linkedBuses(count: number): ChangeBus[] {
  const listeners: Array<Set<(stores: readonly string[]) => void>> = Array.from({ length: count }, () => new Set());
  return listeners.map((own, index) => ({
    post(stores) {
      listeners.forEach((set, other) => {
        if (other !== index) for (const l of [...set]) queueMicrotask(() => l(stores));
      });
    },
    subscribe(listener) {
      own.add(listener);
      return () => own.delete(listener);
    },
    close: () => own.clear(),
  }));
}
