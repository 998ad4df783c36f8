/** Entry point: styles, PWA hooks that must not miss early events, i18n, then the React tree. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createDuetClient } from './data/index.ts';
import { App } from './app/App.tsx';
import { installErrorReporting } from './app/error-reporting.ts';
import { initI18n } from './i18n/index.ts';
import { listenForInstallPrompt } from './pwa/install-prompt.ts';
import { registerServiceWorker } from './pwa/register-sw.ts';
import './styles/app.css';
import './styles/everyday.css';
import { version } from '../package.json';

installErrorReporting(window, version);

listenForInstallPrompt();
registerServiceWorker();

const client = createDuetClient();
const root = createRoot(document.getElementById('root') as HTMLElement);

void initI18n().then(() => {
  root.render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
});
