// Writes the service worker (scripts/offline/serviceWorker.js) into the build, with the list of the
// build's files to precache and a version that changes whenever any of them does (a new version
// means a new cache, and the browser installs the new worker because its bytes differ).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

export const SERVICE_WORKER_FILE = 'sw.js';

/** Every file under `dir`, as paths relative to it with `/`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** The service worker's text for a build in `outDir` (every file but the worker itself is precached). */
export function serviceWorkerFor(outDir: string): { text: string; version: string; files: string[] } {
  const files = filesUnder(outDir).filter((f) => f !== SERVICE_WORKER_FILE);
  const hash = createHash('sha256');
  for (const f of files)
    hash
      .update(f)
      .update('\0')
      .update(readFileSync(join(outDir, f)))
      .update('\0');
  const version = hash.digest('hex').slice(0, 16);
  // './' is the page itself, as a navigation asks for it.
  const precache = ['./', ...files.map((f) => `./${f}`)];
  const source = readFileSync(new URL('./serviceWorker.js', import.meta.url), 'utf8');
  const text = `const VERSION = ${JSON.stringify(version)};\nconst PRECACHE = ${JSON.stringify(precache)};\n${source}`;
  return { text, version, files };
}

/** The Vite plugin: after a build is written, adds sw.js beside index.html. */
export function offlineServiceWorker(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'looplab-offline-service-worker',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    closeBundle: {
      // After the other plugins (the copy of public/ included) have written their files.
      order: 'post',
      handler() {
        const outDir = resolve(config.root, config.build.outDir);
        const { text } = serviceWorkerFor(outDir);
        writeFileSync(join(outDir, SERVICE_WORKER_FILE), text);
      },
    },
  };
}
