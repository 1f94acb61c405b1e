// Registers the build's service worker (scripts/offline/serviceWorker.js): it makes the page work
// offline after one visit and adds the cross-origin-isolation headers on hosts that can't send them.
// A page that a host served without them is reloaded once under the worker, as coi-serviceworker
// does, and is then isolated; if it still is not (a frame inside a page that is not isolated, a
// browser that refuses), it stays on one thread and the performance panel says why.

/** What decides whether a reload would make the page isolated. */
export interface IsolationState {
  isolated: boolean;
  /** Inside a frame: the page around it decides, a reload can't help. */
  framed: boolean;
  /** Reloaded once already for this in this tab (sessionStorage). */
  reloadedOnce: boolean;
}

/** Whether to reload now that the service worker is in charge. */
export function shouldReloadForIsolation(state: IsolationState): boolean {
  return !state.isolated && !state.framed && !state.reloadedOnce;
}

const RELOADED_KEY = 'looplab-isolation-reload';

function reloadedOnce(storage: Storage | null): boolean {
  return storage?.getItem(RELOADED_KEY) === '1';
}

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage switched off: no reload (it could not be told from a loop)
  }
}

/**
 * Registers `${base}sw.js` (built pages only) and reloads once for isolation when that helps.
 * `onUpdate` is called when a new build's worker takes over a page that an older one served.
 */
export async function registerServiceWorker(base: string, onUpdate: () => void = () => {}): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const storage = sessionStore();
  const isolated = window.crossOriginIsolated === true;
  if (isolated) storage?.removeItem(RELOADED_KEY);
  const container = navigator.serviceWorker;
  // After the page's own load, so that caching the build does not compete with it.
  if (document.readyState !== 'complete') {
    await new Promise((resolve) => window.addEventListener('load', resolve, { once: true }));
  }
  let registration: ServiceWorkerRegistration;
  try {
    registration = await container.register(`${base}sw.js`, { scope: base });
  } catch (error) {
    // The page works without it (online, and on one thread where the host sends no headers).
    console.warn(`looplab: the service worker could not be registered, so the page will not work offline: ${error}`);
    return;
  }
  const reloadIfItHelps = () => {
    const state = { isolated, framed: window.top !== window.self, reloadedOnce: reloadedOnce(storage) };
    if (!storage || !shouldReloadForIsolation(state)) return;
    storage.setItem(RELOADED_KEY, '1');
    window.location.reload();
  };
  if (container.controller) {
    reloadIfItHelps();
    // Browsers look for a new build after a navigation when they see fit (Chromium defers it while
    // the worker is busy); asking at once makes a deployment reach this load. Offline it just fails.
    registration.update().catch(() => {});
    // A new build's worker (skipWaiting, clients.claim) replaced this one: this page may be the old build.
    container.addEventListener(
      'controllerchange',
      async () => {
        const worker = container.controller;
        if (worker && !(await isOfBuild(worker, entryScript()))) onUpdate();
      },
      { once: true },
    );
  } else {
    // The first visit: the worker takes charge (clients.claim) once it has cached the build.
    container.addEventListener('controllerchange', reloadIfItHelps, { once: true });
  }
}

/** The page's entry script (its name carries the build's content hash). */
function entryScript(): string | null {
  return document.querySelector<HTMLScriptElement>('script[type="module"][src]')?.src ?? null;
}

/** Whether `script` is a file of the build `worker` serves (true when it can't tell: no false alarm). */
function isOfBuild(worker: ServiceWorker, script: string | null): Promise<boolean> {
  if (script === null) return Promise.resolve(true);
  const channel = new MessageChannel();
  return new Promise((resolve) => {
    // A worker that just took charge on a busy machine may take seconds to answer.
    const timer = setTimeout(() => resolve(true), 15_000);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data !== false);
    };
    worker.postMessage({ looplab: 'has', path: new URL(script).pathname }, [channel.port2]);
  });
}
