// @vitest-environment happy-dom
// A navigation renders the next screen as a transition: the current screen stays on until the
// next one is ready (with a synchronous update React would show the Suspense fallback instead).
import { act, cleanup, render, screen } from '@testing-library/react';
import { Suspense, use } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { navigate, useRoute } from './router.ts';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

describe('useRoute', () => {
  it('keeps the current screen until the next one is ready, then shows it', async () => {
    let ready!: () => void;
    const loaded = new Promise<void>((resolve) => (ready = resolve));
    const Next = () => {
      use(loaded);
      return <p>settings screen</p>;
    };
    const App = () => {
      const route = useRoute();
      return route.name === 'settings' ? <Next /> : <p>home screen</p>;
    };
    window.history.replaceState(null, '', '/');
    await act(async () => {
      render(
        <Suspense fallback={<p>loading</p>}>
          <App />
        </Suspense>,
      );
    });
    expect(screen.getByText('home screen')).toBeTruthy();

    await act(async () => navigate('/settings'));
    expect(window.location.pathname).toBe('/settings');
    expect(screen.queryByText('loading')).toBeNull();
    expect(screen.getByText('home screen')).toBeTruthy();

    await act(async () => ready());
    expect(screen.getByText('settings screen')).toBeTruthy();
  });
});
