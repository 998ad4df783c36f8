// @vitest-environment happy-dom
// Live queries are shared by key: a component that mounts while another already shows the answer
// renders it at once (a message that just arrived names its author in its first render), and the
// query goes with its last reader, so no answer outlives the screens that read it.
import { act, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderScreen } from '../testing/render.tsx';
import { useMe } from './hooks.ts';

const firstRenders: Array<string | undefined> = [];

function MyName({ label }: { label: string }) {
  const me = useMe();
  const [first] = useState(() => me?.user.displayName ?? '(loading)');
  if (firstRenders.length < 10) firstRenders.push(`${label}:${first}`);
  return <p>{`${label}: ${me?.user.displayName ?? '(loading)'}`}</p>;
}

function Screen() {
  const [later, setLater] = useState(false);
  return (
    <>
      <MyName label="header" />
      <button onClick={() => setLater(true)}>more</button>
      {later ? <MyName label="new message" /> : null}
    </>
  );
}

describe('shared live queries', () => {
  it('gives a component that mounts later the answer in its first render, from one query', async () => {
    firstRenders.length = 0;
    const harness = await import('@duet/client/testing').then((m) => m.clientHarness());
    const live = vi.spyOn(harness.client, 'live');
    await renderScreen(<Screen />, { harness, signedIn: 'ana@example.com' });
    await screen.findByText(/^header: (?!\(loading\))/);
    const name = (await harness.client.read.me())?.user.displayName ?? '';
    expect(name).not.toBe('');
    act(() => screen.getByRole('button', { name: 'more' }).click());
    expect(screen.getByText(`new message: ${name}`)).toBeTruthy();
    expect(firstRenders).toContain(`new message:${name}`);
    expect(live, 'one query for both components').toHaveBeenCalledTimes(1);
  });

  it('starts a new query once every reader of the old one is gone', async () => {
    const harness = await import('@duet/client/testing').then((m) => m.clientHarness());
    const live = vi.spyOn(harness.client, 'live');
    const view = await renderScreen(<MyName label="a" />, { harness, signedIn: 'ana@example.com' });
    await waitFor(() => expect(screen.getByText(/^a: (?!\(loading\))/)).toBeTruthy());
    view.unmount();
    await renderScreen(<MyName label="b" />, { harness });
    await waitFor(() => expect(screen.getByText(/^b: (?!\(loading\))/)).toBeTruthy());
    expect(live).toHaveBeenCalledTimes(2);
  });
});
