/** What the page knows about its service worker and installability, as a tiny subscribable store. */
export interface PwaState {
  /** A new service worker is installed and waiting; the person decides when to reload. */
  updateReady: boolean;
  /** The browser offered to install the app (`beforeinstallprompt` fired and is kept). */
  canInstall: boolean;
}

type Listener = () => void;

let state: PwaState = { updateReady: false, canInstall: false };
const listeners = new Set<Listener>();

export const pwaStore = {
  // Arrow functions: React's useSyncExternalStore calls them detached from the object.
  get: (): PwaState => state,
  set: (patch: Partial<PwaState>): void => {
    state = { ...state, ...patch };
    for (const listener of listeners) listener();
  },
  subscribe: (listener: Listener): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
