// @vitest-environment happy-dom
// A preloaded screen renders in the first commit, without its Suspense fallback (React.lazy would
// suspend once even then, and React holds the revealed boundary back for 300 ms).
import { act, cleanup, render, screen } from '@testing-library/react';
import { Suspense } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lazyScreen } from './lazy-screen.tsx';

afterEach(cleanup);

const Hello = ({ name }: { name: string }) => <p>{`hello ${name}`}</p>;

describe('lazyScreen', () => {
  it('renders a preloaded screen at once, loading its code once', async () => {
    const load = vi.fn(async () => Hello);
    const Screen = lazyScreen(load);
    await Screen.preload();
    await Screen.preload();
    act(() => {
      render(
        <Suspense fallback={<p>loading</p>}>
          <Screen name="Ana" />
        </Suspense>,
      );
    });
    expect(screen.getByText('hello Ana')).toBeTruthy();
    expect(screen.queryByText('loading')).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('loads a screen that was not preloaded on its first render, behind the fallback', async () => {
    const load = vi.fn(async () => Hello);
    const Screen = lazyScreen(load);
    act(() => {
      render(
        <Suspense fallback={<p>loading</p>}>
          <Screen name="Ben" />
        </Suspense>,
      );
    });
    expect(screen.getByText('loading')).toBeTruthy();
    expect(await screen.findByText('hello Ben')).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(1);
  });
});
