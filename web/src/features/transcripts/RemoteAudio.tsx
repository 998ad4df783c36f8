import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ClientErrorCode, DuetError, useDuetClient } from '../../data/index.ts';
import { fetchTranscriptAudio } from '@duet/client';
import { useErrorText } from '../../app/use-error-text.ts';
import { AudioPlayer } from './AudioPlayer.tsx';
import { useAudioRuntime } from './use-audio.ts';

type Loaded = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; blob: Blob } | { state: 'error'; message: string };

/** Audio recorded on another device: fetched from the server on request, then played from a Blob. */
export function RemoteAudio({ transcriptId }: { transcriptId: string }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const { baseUrl } = useAudioRuntime();
  const errorText = useErrorText();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'idle' });

  const load = async () => {
    setLoaded({ state: 'loading' });
    try {
      const token = client.auth.current()?.token;
      if (!token) throw new DuetError(ClientErrorCode.signedOut);
      setLoaded({ state: 'ready', blob: await fetchTranscriptAudio({ baseUrl, token, transcriptId }) });
    } catch (e) {
      setLoaded({ state: 'error', message: errorText(e) });
    }
  };

  if (loaded.state === 'ready') return <AudioPlayer blob={loaded.blob} label={t('transcripts.audio.play')} />;
  return (
    <>
      <button type="button" className="button button--small" onClick={() => void load()} disabled={loaded.state === 'loading'}>
        {loaded.state === 'loading' ? t('transcripts.audio.loading') : t('transcripts.audio.load')}
      </button>
      {loaded.state === 'error' && (
        <p className="form-error" role="alert">
          {loaded.message}
        </p>
      )}
    </>
  );
}
