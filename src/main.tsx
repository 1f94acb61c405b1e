import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App.tsx';
import './ui/app.css';
import { registerServiceWorker } from './ui/serviceWorker.ts';

const root = document.getElementById('root');
if (!root) throw new Error('looplab: #root element missing from index.html');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Only a build has the service worker (the dev server serves the sources as they change).
if (import.meta.env.PROD) void registerServiceWorker(import.meta.env.BASE_URL);
