import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_AUDIO_BYTES } from '@duet/client';
import { useFormatters } from '../../i18n/format.ts';
import { AudioPlayer } from './AudioPlayer.tsx';
import { formatDuration } from './format-duration.ts';
import type { RecorderState } from './use-recorder.ts';

/** The form's recording controls: Record, a running timer with Stop, then playback and Discard. */
export function RecordAudio({ recorder }: { recorder: RecorderState }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const labelId = useId();
  const { phase, recorded, error, elapsedMs } = recorder;
  const busy = phase === 'recording' || phase === 'stopping';

  return (
    <div className="field" role="group" aria-labelledby={labelId}>
      <span id={labelId}>{t('transcripts.audio.groupLabel')}</span>
      {busy ? (
        <div className="button-row">
          <span role="timer" aria-label={t('transcripts.audio.timer')} className="status-connection">
            {formatDuration(elapsedMs)}
          </span>
          <button type="button" className="button button--danger" onClick={() => void recorder.stop()} disabled={phase === 'stopping'}>
            {t('transcripts.audio.stop')}
          </button>
        </div>
      ) : (
        <div className="button-row">
          <button type="button" className="button" onClick={() => void recorder.start()} disabled={phase === 'starting'}>
            {recorded ? t('transcripts.audio.recordAgain') : t('transcripts.audio.record')}
          </button>
          {recorded && (
            <button type="button" className="button button--quiet" onClick={() => recorder.discard()}>
              {t('transcripts.audio.discard')}
            </button>
          )}
        </div>
      )}
      {recorded && !busy && (
        <>
          <p className="muted" role="status">
            {t('transcripts.audio.recorded', { duration: formatDuration(recorded.durationMs), size: format.bytes(recorded.blob.size) })}
          </p>
          <AudioPlayer blob={recorded.blob} label={t('transcripts.audio.play')} />
          {recorded.blob.size > MAX_AUDIO_BYTES && (
            <p className="form-error" role="alert">
              {t('transcripts.audio.failure.too_large', { max: format.bytes(MAX_AUDIO_BYTES) })}
            </p>
          )}
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {t(`transcripts.audio.recorderError.${error}`)}
        </p>
      )}
    </div>
  );
}
