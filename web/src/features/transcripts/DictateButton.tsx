/** "Dictate": speech to text into the transcript, shown only where the browser can do it. */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { browserRecognition, startDictation } from './dictation.ts';

export function DictateButton({ language, onPhrase }: { language: string; onPhrase: (phrase: string) => void }) {
  const { t } = useTranslation();
  const [Recognition] = useState(browserRecognition);
  const [listening, setListening] = useState(false);
  const [failed, setFailed] = useState(false);
  const stop = useRef<(() => void) | null>(null);
  const latest = useRef(onPhrase);
  latest.current = onPhrase;

  useEffect(() => () => stop.current?.(), []);
  if (!Recognition) return null;

  const toggle = () => {
    if (listening) {
      stop.current?.();
      return;
    }
    setFailed(false);
    setListening(true);
    try {
      stop.current = startDictation(Recognition, language, {
        onPhrase: (phrase) => latest.current(phrase),
        onEnd: (error) => {
          setListening(false);
          stop.current = null;
          if (error) setFailed(true);
        },
      });
    } catch {
      setListening(false);
      setFailed(true);
    }
  };

  return (
    <div className="dictate">
      <button type="button" className="button button--small" aria-pressed={listening} onClick={toggle}>
        {listening ? t('transcripts.stopDictating') : t('transcripts.dictate')}
      </button>
      {failed && (
        <p className="notice notice--error" role="alert">
          {t('transcripts.dictationFailed')}
        </p>
      )}
    </div>
  );
}
