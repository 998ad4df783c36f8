/**
 * An i18next backend that loads translations with dynamic imports, so each language is its own
 * chunk: fetched only when chosen, and precached by the service worker for offline use.
 */
import type { BackendModule, ReadCallback, ResourceKey } from 'i18next';

type Loader = () => Promise<{ default: ResourceKey }>;

const loaders: Record<string, Loader> = {
  es: () => import('../locales/es.json'),
  ar: () => import('../locales/ar.json'),
};

export const lazyBackend: BackendModule = {
  type: 'backend',
  init() {},
  read(language: string, _namespace: string, callback: ReadCallback) {
    const load = loaders[language];
    if (!load) {
      callback(null, {});
      return;
    }
    load().then(
      (module) => callback(null, module.default),
      (error: unknown) => callback(error instanceof Error ? error.message : String(error), false),
    );
  },
};
