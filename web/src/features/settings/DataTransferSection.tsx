/**
 * "Your data" in Settings (docs/export-import.md): download everything as one zip, with the bytes
 * received and a progress bar, and load such a zip into a new account, with the upload's
 * percentage, then "Importing…", then what was imported. Failures in plain words, by error code.
 */
import { useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DownloadProgress, ImportProgress } from '@duet/client';
import type { DataImportResponse } from '@duet/shared';
import { errorCode, useDuetClient } from '../../data/index.ts';
import { FormError } from '../../app/FormError.tsx';
import { useErrorText } from '../../app/use-error-text.ts';
import { useFormatters } from '../../i18n/format.ts';

/** The codes with a sentence of their own under dataTransfer.errors; others get the app's general wording. */
const OWN_ERRORS = new Set(['export_invalid', 'export_unsupported', 'import_target_not_empty', 'payload_too_large', 'network', 'offline']);

/** Saves a blob under a name, through a temporary link (the browser's download). */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has handed the blob to the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function DataTransferSection() {
  const { t } = useTranslation();
  const client = useDuetClient();
  const format = useFormatters();
  const generalError = useErrorText();
  const fileInput = useRef<HTMLInputElement>(null);
  const fileId = useId();
  const [download, setDownload] = useState<DownloadProgress | null>(null);
  const [downloaded, setDownloaded] = useState(false);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [upload, setUpload] = useState<ImportProgress | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [imported, setImported] = useState<DataImportResponse['imported'] | null>(null);
  const [importError, setImportError] = useState<string | null>(null);

  const errorSentence = (error: unknown) => {
    const code = errorCode(error);
    return OWN_ERRORS.has(code) ? t(`dataTransfer.errors.${code}`) : generalError(error);
  };

  const startDownload = async () => {
    setDownloaded(false);
    setDownloadError(null);
    setDownload({ received: 0, total: null });
    try {
      const result = await client.dataTransfer.download(setDownload);
      saveBlob(result.blob, result.filename);
      setDownloaded(true);
    } catch (error) {
      setDownloadError(errorSentence(error));
    } finally {
      setDownload(null);
    }
  };

  const startImport = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setImported(null);
    setImportError(null);
    setUpload({ phase: 'uploading', sent: 0, total: file.size });
    try {
      const result = await client.dataTransfer.import(file, setUpload);
      setImported(result.imported);
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
    } catch (error) {
      setImportError(errorSentence(error));
    } finally {
      setUpload(null);
    }
  };

  const percent = upload?.phase === 'uploading' && upload.total > 0 ? Math.min(100, Math.round((upload.sent / upload.total) * 100)) : null;

  return (
    <section className="settings-section card" aria-labelledby="settings-data-transfer">
      <h2 id="settings-data-transfer" className="section-title">
        {t('dataTransfer.title')}
      </h2>
      <p className="muted">{t('dataTransfer.exportWhat')}</p>
      <button type="button" className="button" onClick={() => void startDownload()} disabled={download !== null}>
        {t('dataTransfer.download')}
      </button>
      {download && (
        <div className="status-progress" role="status">
          <span>
            {download.total !== null
              ? t('dataTransfer.downloadProgress', { received: format.bytes(download.received), total: format.bytes(download.total) })
              : t('dataTransfer.downloadReceived', { received: format.bytes(download.received) })}
          </span>
          <progress
            aria-label={t('dataTransfer.downloadBar')}
            max={download.total ?? undefined}
            value={download.total !== null ? download.received : undefined}
          />
        </div>
      )}
      {downloaded && (
        <p className="form-success" role="status">
          {t('dataTransfer.downloaded')}
        </p>
      )}
      <FormError message={downloadError} />

      <form className="form" onSubmit={(e) => void startImport(e)} aria-label={t('dataTransfer.importTitle')}>
        <h3 className="section-title">{t('dataTransfer.importTitle')}</h3>
        <p className="muted">{t('dataTransfer.importWhat')}</p>
        <div className="field">
          <label htmlFor={fileId}>{t('dataTransfer.chooseFile')}</label>
          <input
            id={fileId}
            ref={fileInput}
            type="file"
            accept=".zip,application/zip"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setImportError(null);
              setImported(null);
            }}
          />
        </div>
        <button type="submit" className="button" disabled={!file || upload !== null}>
          {t('dataTransfer.import')}
        </button>
        {upload && (
          <div className="status-progress" role="status">
            <span>
              {upload.phase === 'importing' || percent === 100
                ? t('dataTransfer.importing')
                : t('dataTransfer.uploading', { percent: percent ?? 0 })}
            </span>
            <progress
              aria-label={t('dataTransfer.uploadBar')}
              max={100}
              value={upload.phase === 'importing' ? undefined : (percent ?? 0)}
            />
          </div>
        )}
        {imported && (
          <p className="form-success" role="status">
            {t('dataTransfer.imported', {
              conversations: imported.conversations,
              messages: imported.messages,
              transcripts: imported.transcripts,
            })}
          </p>
        )}
        <FormError message={importError} />
      </form>
    </section>
  );
}
