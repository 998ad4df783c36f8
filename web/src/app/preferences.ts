/**
 * Choices kept on this device (localStorage), readable as React state: whether partners hear what
 * this device is doing, and whether it shows system notifications while the app is hidden.
 */
import { useCallback, useSyncExternalStore } from 'react';

export interface Preferences {
  /** Partners hear recording / reviewing / idle (they always hear online and last seen). On by default. */
  shareActivity: boolean;
  /** System notifications while the app is open but hidden. Off by default. */
  systemNotifications: boolean;
}

const DEFAULTS: Preferences = { shareActivity: true, systemNotifications: false };
const KEY = 'duet.preferences';
const listeners = new Set<() => void>();
let current: Preferences | null = null;

function load(): Preferences {
  try {
    const raw = localStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<Preferences>) : {};
    return {
      shareActivity: typeof parsed.shareActivity === 'boolean' ? parsed.shareActivity : DEFAULTS.shareActivity,
      systemNotifications: typeof parsed.systemNotifications === 'boolean' ? parsed.systemNotifications : DEFAULTS.systemNotifications,
    };
  } catch {
    // No localStorage (private mode in some browsers) or a value we did not write: the defaults.
    return { ...DEFAULTS };
  }
}

export function readPreferences(): Preferences {
  current ??= load();
  return current;
}

export function setPreference<K extends keyof Preferences>(key: K, value: Preferences[K]): void {
  current = { ...readPreferences(), [key]: value };
  try {
    localStorage.setItem(KEY, JSON.stringify(current));
  } catch {
    // Kept for this visit only.
  }
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function usePreferences(): [Preferences, <K extends keyof Preferences>(key: K, value: Preferences[K]) => void] {
  const preferences = useSyncExternalStore(subscribe, readPreferences, readPreferences);
  return [preferences, useCallback(setPreference, [])];
}
