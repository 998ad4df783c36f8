/**
 * Component tests: a screen rendered over a real @duet/client on in-memory parts (the fake server
 * behind a fake fetch), in English, with the providers the app gives it. Files using this run in
 * happy-dom (`// @vitest-environment happy-dom` at their top).
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render } from '@testing-library/react';
import type { RenderResult } from '@testing-library/react';
import i18next from 'i18next';
import type { ReactElement } from 'react';
import { initReactI18next } from 'react-i18next';
import { afterEach } from 'vitest';
import { clientHarness } from '@duet/client/testing';
import en from '../locales/en.json';
import { DuetProvider } from '../data/index.ts';

// Testing Library cleans up by itself only with vitest's globals, which this workspace leaves off.
afterEach(cleanup);

if (!i18next.isInitialized) {
  void i18next.use(initReactI18next).init({
    lng: 'en',
    resources: { en: { translation: en } },
    interpolation: { escapeValue: false },
    initAsync: false,
    showSupportNotice: false,
    react: { useSuspense: false },
  });
}

export type Harness = ReturnType<typeof clientHarness>;

/** Renders `ui` for a client; `signedIn` signs that person in first (their personal space is returned). */
export async function renderScreen(
  ui: ReactElement | ((spaceId: string) => ReactElement),
  options: { signedIn?: string; harness?: Harness } = {},
): Promise<Harness & RenderResult & { spaceId: string }> {
  const harness = options.harness ?? clientHarness();
  await harness.client.ready;
  const spaceId = options.signedIn ? await harness.signIn(options.signedIn) : '';
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const result = render(
    <DuetProvider client={harness.client}>
      <QueryClientProvider client={queries}>{typeof ui === 'function' ? ui(spaceId) : ui}</QueryClientProvider>
    </DuetProvider>,
  );
  return { ...harness, ...result, spaceId };
}

export { en };
