import { useTranslation } from 'react-i18next';
import { MAX_AUDIO_BYTES } from '@duet/client';
import type { UploadView } from '@duet/client';
import { useFormatters } from '../../i18n/format.ts';
import { useAudioRuntime } from './use-audio.ts';

/** How far this device's upload of a recording got: a named progress bar, why it waits, or why it failed. */
export function UploadStatus({ view }: { view: UploadView }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const { uploads } = useAudioRuntime();

  if (view.state === 'failed') {
    const reason = view.error ?? 'rejected';
    return (
      <div className="status-progress">
        <p className="form-error" role="alert">
          {t(`transcripts.audio.failure.${reason}`, { max: format.bytes(MAX_AUDIO_BYTES) })}
        </p>
        {reason !== 'too_large' && (
          <button type="button" className="button button--small" onClick={() => void uploads.retry(view.transcriptId)}>
            {t('transcripts.audio.retry')}
          </button>
        )}
      </div>
    );
  }
  if (view.state === 'uploaded') return null;

  const fraction = view.totalBytes > 0 ? view.uploadedBytes / view.totalBytes : 0;
  const amounts = { sent: format.bytes(view.uploadedBytes), total: format.bytes(view.totalBytes), percent: format.percent(fraction) };
  return (
    <div className="status-progress">
      <progress
        max={view.totalBytes || 1}
        value={view.uploadedBytes}
        aria-label={t('transcripts.audio.uploadProgress')}
        aria-valuetext={t('transcripts.audio.progressText', amounts)}
      />
      <span className="muted" aria-live="polite">
        {view.state === 'uploading'
          ? t('transcripts.audio.uploading', amounts)
          : t(`transcripts.audio.waiting.${view.waiting ?? 'queued'}`)}
        {view.state !== 'uploading' && view.uploadedBytes > 0 && ` ${t('transcripts.audio.progressText', amounts)}`}
      </span>
    </div>
  );
}
