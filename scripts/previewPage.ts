// What the page measurements (measure-page.ts, measure-agent.ts) share: the production build
// served by `vite preview` on its own port and opened in Debian's Chromium, pages set up for
// functions handed to them, their command-line numbers and how they run as scripts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';
import { errorMessage } from '../src/core/errors.ts';

export async function waitForServer(url: string, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`vite preview did not answer at ${url} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface Preview {
  url: string;
  browser: Browser;
  /** Closes the browser and stops the server. */
  close(): Promise<void>;
}

/** Serves the build in `dist` on `port` and launches Chromium; once this resolves, the server answers. */
export async function openPreview(dist: string, port: number): Promise<Preview> {
  // Loaded here so that the scripts' pure parts can be imported (and tested) without Playwright.
  const { chromium } = await import('@playwright/test');
  const vite = path.join('node_modules', 'vite', 'bin', 'vite.js');
  const server: ChildProcess = spawn(process.execPath, [vite, 'preview', '--strictPort', '--port', String(port)], {
    env: { ...process.env, LOOPLAB_DIST: dist },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://localhost:${port}/`;
  // vite preview exits at once when the port is taken; another server may still answer there.
  let exited: number | null = null;
  server.on('exit', (code) => {
    exited = code ?? 1;
  });
  const browser = await chromium
    .launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
    .catch((e: unknown) => {
      server.kill();
      throw e;
    });
  const close = async () => {
    await browser.close();
    server.kill();
  };
  try {
    await waitForServer(url, 30_000);
    // Give a preview that could not take the port the moment it needs to say so.
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (exited !== null)
      throw new Error(`vite preview could not serve ${dist} on port ${port} (is the port taken? pass --port)`);
  } catch (e) {
    await close();
    throw e;
  }
  return { url, browser, close };
}

/** A 1280x900 page that runs functions handed to it by a script run with tsx. */
export async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // tsx compiles the scripts with esbuild's keepNames, whose `__name(fn, "name")` calls end up in
  // the functions handed to the page: give the page that helper.
  await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  return page;
}

/** A whole-number option (`--name`), `fallback` when absent; throws in words below `min` or when not a number. */
export function wholeNumberOption(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new Error(`--${name} wants a whole number >= ${min}, got '${text}'`);
  return Number(text);
}

/** Runs `main` when node was started with scripts/`name`.ts; its number is the exit code, a throw is said under `name`. */
export function runAsScript(name: string, main: (argv: string[]) => Promise<number>) {
  if (!process.argv[1]?.endsWith(`${name}.ts`)) return;
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(`${name}: ${errorMessage(e)}`);
      process.exitCode = 1;
    },
  );
}

/** What a page measurement script is: its options beyond --dist, --port and --json, the measuring and the printing. */
export interface PageMeasurement<Options, Report> {
  name: string;
  usage: string;
  /** Default of --port. */
  port: number;
  options: Record<string, { type: 'string' | 'boolean' }>;
  /** The script's options from the command line (throws in words on bad input). */
  parse(values: Record<string, string | boolean | undefined>, common: { dist: string; port: number }): Options;
  run(options: Options): Promise<Report>;
  format(report: Report): string;
}

/** A page measurement's main: bad input (options, a missing build) is one line on stderr and exit code 2. */
export async function pageMeasurementMain<Options, Report>(
  argv: string[],
  m: PageMeasurement<Options, Report>,
): Promise<number> {
  let options: Options;
  let json = false;
  try {
    let values: Record<string, string | boolean | undefined>;
    try {
      values = parseArgs({
        args: argv,
        strict: true,
        options: { dist: { type: 'string' }, port: { type: 'string' }, json: { type: 'boolean' }, ...m.options },
      }).values;
    } catch (e) {
      throw new Error(`${errorMessage(e)}\n${m.usage}`);
    }
    json = values.json === true;
    const dist = typeof values.dist === 'string' ? values.dist : (process.env.LOOPLAB_DIST ?? 'dist');
    const port = wholeNumberOption('port', values.port as string | undefined, m.port, 1);
    options = m.parse(values, { dist, port });
    if (!existsSync(path.join(dist, 'index.html')))
      throw new Error(`no build in ${dist}/ (run npm run build, or pass --dist)`);
  } catch (e) {
    console.error(`${m.name}: ${errorMessage(e)}`);
    return 2;
  }
  const report = await m.run(options);
  console.log(json ? JSON.stringify(report, null, 2) : m.format(report));
  return 0;
}
