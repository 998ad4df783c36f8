/**
 * The i18next backend: translations come by dynamic import (i18next-resources-to-backend), so each
 * language is its own chunk, fetched only when chosen and precached by the service worker for
 * offline use. English is bundled (see index.ts), so it loads nothing here.
 */
import resourcesToBackend from 'i18next-resources-to-backend';
import type { ResourceKey } from 'i18next';

const loaders: Record<string, () => Promise<{ default: ResourceKey }>> = {
  es: () => import('../locales/es.json'),
  ar: () => import('../locales/ar.json'),
};

export const lazyBackend = resourcesToBackend(async (language: string) => (await loaders[language]?.())?.default ?? {});
