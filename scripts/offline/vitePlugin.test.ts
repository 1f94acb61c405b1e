import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceWorkerFor } from './vitePlugin.ts';

const dirs: string[] = [];
function build(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'looplab-sw-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the build's service worker", () => {
  const files = {
    'index.html': '<html></html>',
    'assets/index-abc.js': 'console.log(1)',
    'agent/weights.bin': 'w',
    'sw.js': 'an older worker',
  };

  it('precaches the page and every file of the build but itself', () => {
    const sw = serviceWorkerFor(build(files));
    expect(sw.files).toEqual(['agent/weights.bin', 'assets/index-abc.js', 'index.html']);
    const precache = JSON.parse(/const PRECACHE = (.*);/.exec(sw.text)?.[1] ?? 'null');
    expect(precache).toEqual(['./', './agent/weights.bin', './assets/index-abc.js', './index.html']);
    expect(sw.text).toContain(`const VERSION = "${sw.version}";`);
    expect(sw.text).toContain("self.addEventListener('fetch'");
    expect(sw.text).toContain('Cross-Origin-Embedder-Policy');
  });

  it('has a new version (a new cache) when any file changes, and the same for the same build', () => {
    const version = serviceWorkerFor(build(files)).version;
    expect(serviceWorkerFor(build(files)).version).toBe(version);
    expect(serviceWorkerFor(build({ ...files, 'agent/weights.bin': 'w2' })).version).not.toBe(version);
    expect(serviceWorkerFor(build({ ...files, 'sw.js': 'another' })).version).toBe(version);
  });
});
