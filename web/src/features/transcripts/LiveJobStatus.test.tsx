// @vitest-environment happy-dom
// The live status of a transcript's job on the transcripts list, from the socket, ahead of the pull.
import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeSocket, clientHarness } from '@duet/client/testing';
import { useTranscripts } from '../../data/index.ts';
import { en, renderScreen } from '../../testing/render.tsx';
import { TranscriptItem } from './TranscriptItem.tsx';

function List() {
  const transcripts = useTranscripts();
  return (
    <ul>
      {transcripts?.map((t) => (
        <TranscriptItem key={t.id} transcript={t} />
      ))}
    </ul>
  );
}

describe('live job status', () => {
  it('shows queued, processing with its progress, then done for the current submission only', async () => {
    FakeSocket.all = [];
    const harness = clientHarness({ realtime: { url: 'ws://duet.test/api/sync/ws', WebSocket: FakeSocket } });
    const h = await renderScreen(<List />, { signedIn: 'ana@example.com', harness });
    await h.client.mutate('transcript.create', { id: 't1', spaceId: h.spaceId, text: 'Ana: hi', language: 'en' });
    await h.client.mutate('transcript.submit', { id: 't1' });
    expect(await screen.findByText(en.transcripts.status.queued)).toBeTruthy();
    // The harness does not auto-start: the socket is connected by hand, as sign-in would.
    harness.client.realtime.start('token');
    const socket = FakeSocket.latest();
    act(() => {
      socket.open();
      socket.receive({ type: 'poke' });
    });

    // A status of an earlier submission says nothing about this one.
    act(() => socket.receive({ type: 'job', transcriptId: 't1', submission: 0, status: 'done' }));
    expect(screen.queryByRole('status')).toBeNull();

    act(() => socket.receive({ type: 'job', transcriptId: 't1', submission: 1, status: 'processing', progress: 0.9 }));
    expect((await screen.findByRole('status')).textContent).toContain(en.liveJob.processing.replace('{{percent}}', '90%'));
    expect(screen.getByRole('progressbar', { name: en.liveJob.label })).toHaveProperty('value', 0.9);
    expect(screen.getByText(en.transcripts.status.processing)).toBeTruthy();

    act(() => socket.receive({ type: 'job', transcriptId: 't1', submission: 1, status: 'done' }));
    expect((await screen.findByRole('status')).textContent).toBe(en.liveJob.done);
    expect(screen.getByText(en.transcripts.status.done)).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });
});
