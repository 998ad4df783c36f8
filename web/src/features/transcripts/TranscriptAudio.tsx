import { useTranslation } from 'react-i18next';
import type { TranscriptView } from '../../data/index.ts';
import { AudioPlayer } from './AudioPlayer.tsx';
import { RemoteAudio } from './RemoteAudio.tsx';
import { UploadStatus } from './UploadStatus.tsx';
import { useLocalRecording, useUploadView } from './use-audio.ts';

/**
 * A transcript's audio: the recording kept on this device (played offline) with its upload
 * state, or, on other devices, the uploaded audio from the server. "Audio uploaded" shows on
 * every device once the server recorded the upload on the transcript.
 */
export function TranscriptAudio({ transcript }: { transcript: TranscriptView }) {
  const { t } = useTranslation();
  const local = useLocalRecording(transcript.id);
  const view = useUploadView(transcript.id);
  const uploaded = Boolean(transcript.audio) || view?.state === 'uploaded';
  if (!local && !transcript.audio) return null;

  return (
    <div className="status-progress">
      {local ? <AudioPlayer blob={local.blob} label={t('transcripts.audio.play')} /> : <RemoteAudio transcriptId={transcript.id} />}
      {/* Once the server has the audio, this device's upload is over, even before its own upload says so. */}
      {view && !uploaded && <UploadStatus view={view} />}
      {uploaded && <p className="muted">{t('transcripts.audio.uploaded')}</p>}
    </div>
  );
}
