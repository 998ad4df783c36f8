// @vitest-environment happy-dom
import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DownloadProgress, ExportDownload, ImportProgress } from '@duet/client';
import type { DataImportResponse } from '@duet/shared';
import { describe, expect, it, vi } from 'vitest';
import { clientHarness } from '@duet/client/testing';
import { ApiError } from '../../data/index.ts';
import { en, renderScreen } from '../../testing/render.tsx';
import { DataTransferSection } from './DataTransferSection.tsx';

const t = en.dataTransfer;
const zipFile = () => new File([new Uint8Array([80, 75, 3, 4])], 'duet-export.zip', { type: 'application/zip' });

/** A promise with its resolve and reject in hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function renderSection() {
  const harness = clientHarness();
  return renderScreen(<DataTransferSection />, { signedIn: 'ana@example.com', harness });
}

describe('DataTransferSection', () => {
  it('shows the bytes received and a progress bar while downloading, then that it is done', async () => {
    const user = userEvent.setup();
    const h = await renderSection();
    const answer = deferred<ExportDownload>();
    let report: (p: DownloadProgress) => void = () => {};
    vi.spyOn(h.client.dataTransfer, 'download').mockImplementation((onProgress) => {
      report = onProgress;
      return answer.promise;
    });
    URL.createObjectURL = vi.fn(() => 'blob:duet-export');
    URL.revokeObjectURL = vi.fn();
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});

    await user.click(screen.getByRole('button', { name: t.download }));
    act(() => report({ received: 512 * 1024, total: 2 * 1024 * 1024 }));
    const bar = screen.getByRole('progressbar', { name: t.downloadBar });
    expect(bar.getAttribute('value')).toBe(String(512 * 1024));
    expect(bar.getAttribute('max')).toBe(String(2 * 1024 * 1024));
    expect(screen.getByText(/^Downloading… .+ of .+$/)).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: t.download }).disabled).toBe(true);

    await act(async () => answer.resolve({ blob: new Blob(['zip']), filename: 'duet-export-2026-12-02.zip' }));
    expect(await screen.findByText(t.downloaded)).toBeTruthy();
    expect(clicked).toHaveBeenCalledOnce();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('says in plain words when the download fails', async () => {
    const user = userEvent.setup();
    const h = await renderSection();
    vi.spyOn(h.client.dataTransfer, 'download').mockRejectedValue(new ApiError({ code: 'network', status: 0 }));
    await user.click(screen.getByRole('button', { name: t.download }));
    expect((await screen.findByRole('alert')).textContent).toBe(t.errors.network);
  });

  it('shows the upload percentage, then "Importing…", then what was imported', async () => {
    const user = userEvent.setup();
    const h = await renderSection();
    const answer = deferred<DataImportResponse>();
    let report: (p: ImportProgress) => void = () => {};
    const started = vi.spyOn(h.client.dataTransfer, 'import').mockImplementation((_file, onProgress) => {
      report = onProgress;
      return answer.promise;
    });

    const importButton = screen.getByRole<HTMLButtonElement>('button', { name: t.import });
    expect(importButton.disabled).toBe(true);
    await user.upload(screen.getByLabelText(t.chooseFile), zipFile());
    await user.click(importButton);
    expect(started).toHaveBeenCalledOnce();
    act(() => report({ phase: 'uploading', sent: 40, total: 100 }));
    expect(screen.getByText('Uploading… 40%')).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: t.uploadBar }).getAttribute('value')).toBe('40');
    act(() => report({ phase: 'importing' }));
    expect(screen.getByText(t.importing)).toBeTruthy();

    await act(async () =>
      answer.resolve({ imported: { conversations: 2, messages: 5, sessions: 1, transcripts: 1, readMarks: 1, audio: 1 } }),
    );
    expect(await screen.findByText(/^Imported: conversations 2, messages 5, transcripts 1\./)).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it.each([
    ['import_target_not_empty', 409, t.errors.import_target_not_empty],
    ['export_invalid', 400, t.errors.export_invalid],
    ['export_unsupported', 400, t.errors.export_unsupported],
    ['payload_too_large', 413, t.errors.payload_too_large],
  ])('explains a refused import (%s) in plain words', async (code, status, sentence) => {
    const user = userEvent.setup();
    const h = await renderSection();
    vi.spyOn(h.client.dataTransfer, 'import').mockRejectedValue(new ApiError({ code, status, message: 'refused' }));
    await user.upload(screen.getByLabelText(t.chooseFile), zipFile());
    await user.click(screen.getByRole('button', { name: t.import }));
    expect((await screen.findByRole('alert')).textContent).toBe(sentence);
    expect(screen.queryByRole('progressbar')).toBeNull();
  });
});
