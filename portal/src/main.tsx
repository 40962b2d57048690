import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import '@mantine/notifications/styles.css';
import './app/portal.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { adoptFragmentTokens } from './api/session';
import { App } from './app/App';

// An OIDC sign-in comes back with its tokens in the URL fragment: take them before anything
// renders, and before the router sees the URL.
adoptFragmentTokens(window.location, window.history);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
