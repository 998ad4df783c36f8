import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAction } from '../../app/use-action.ts';
import { useMutate } from '../../app/use-mutate.ts';
import { useAudioRuntime } from './use-audio.ts';
import { FormError } from '../../app/FormError.tsx';

/** "Delete transcript", confirmed in place; deletes the recording kept on this device too. */
export function DeleteTranscript({ transcriptId }: { transcriptId: string }) {
  const { t } = useTranslation();
  const mutate = useMutate();
  const { uploads } = useAudioRuntime();
  const [confirming, setConfirming] = useState(false);
  const { error, run } = useAction();

  const remove = async () => {
    await run(
      async () => {
        await mutate('transcript.delete', { id: transcriptId });
        await uploads.discard(transcriptId);
      },
      () => setConfirming(false),
    );
  };

  return (
    <>
      {confirming ? (
        <div className="button-row" role="group" aria-label={t('transcripts.confirmDeleteQuestion')}>
          <span>{t('transcripts.confirmDeleteQuestion')}</span>
          <button type="button" className="button button--small button--danger" onClick={() => void remove()}>
            {t('transcripts.confirmDelete')}
          </button>
          <button type="button" className="button button--small button--quiet" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" className="button button--small button--quiet" onClick={() => setConfirming(true)}>
          {t('transcripts.delete')}
        </button>
      )}
      <FormError message={error} />
    </>
  );
}
