/** Keeps the browser's `beforeinstallprompt` event so an Install button can show it later. */
import { pwaStore } from './pwa-store.ts';

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

let deferred: BeforeInstallPromptEvent | null = null;

/** Call once, as early as possible: the event can fire before React renders. */
export function listenForInstallPrompt(target: Window = window): void {
  target.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    deferred = event as BeforeInstallPromptEvent;
    pwaStore.set({ canInstall: true });
  });
  target.addEventListener('appinstalled', () => {
    deferred = null;
    pwaStore.set({ canInstall: false });
  });
}

/** Shows the browser's install dialog; the kept event can be used only once. */
export async function promptInstall(): Promise<boolean> {
  const event = deferred;
  if (!event) return false;
  deferred = null;
  pwaStore.set({ canInstall: false });
  await event.prompt();
  const choice = await event.userChoice;
  return choice.outcome === 'accepted';
}
