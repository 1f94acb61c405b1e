import { describe, expect, it } from 'vitest';
import { shouldReloadForIsolation } from './serviceWorker.ts';

describe('reloading under the service worker for isolation', () => {
  it('reloads a top-level page that is not isolated, once', () => {
    expect(shouldReloadForIsolation({ isolated: false, framed: false, reloadedOnce: false })).toBe(true);
    expect(shouldReloadForIsolation({ isolated: false, framed: false, reloadedOnce: true })).toBe(false);
  });
  it('never reloads an isolated page or a frame', () => {
    expect(shouldReloadForIsolation({ isolated: true, framed: false, reloadedOnce: false })).toBe(false);
    expect(shouldReloadForIsolation({ isolated: false, framed: true, reloadedOnce: false })).toBe(false);
  });
});
