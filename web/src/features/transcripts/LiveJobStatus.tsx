/**
 * How a transcript's analysis stands right now, as the socket says it while the screen is open
 * (queued, processing with its progress, done, failed), before the next pull brings the synced
 * status. Only for the transcript's current submission, and only while the synced status is not
 * final yet.
 */
import { useTranslation } from 'react-i18next';
import { useLiveJob } from '../../data/index.ts';
import type { LiveJob, TranscriptView } from '../../data/index.ts';
import { useFormatters } from '../../i18n/format.ts';

/** The live job of the transcript's current submission while its synced status is still in flight. */
export function useCurrentLiveJob(transcript: TranscriptView): LiveJob | null {
  const job = useLiveJob(transcript.id);
  const inFlight = transcript.status === 'queued' || transcript.status === 'processing';
  return job && inFlight && job.submission === transcript.submissions ? job : null;
}

export function LiveJobStatus({ job }: { job: LiveJob }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const progress = job.status === 'processing' ? (job.progress ?? 0) : null;
  return (
    <div className="live-job" role="status">
      <span>
        {job.status === 'processing' ? t('liveJob.processing', { percent: format.percent(progress ?? 0) }) : t(`liveJob.${job.status}`)}
      </span>
      {progress !== null && <progress className="meter" max={1} value={progress} aria-label={t('liveJob.label')} />}
    </div>
  );
}
