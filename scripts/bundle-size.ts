// npm run size -- [--dist dist] [--budget-kb 300] [--json]
//
// Gzipped size of the JavaScript the first load of the built page needs, against the budget
// (issue 3: <= 300 kB without the agent's tfjs chunk). What counts:
//   - page: index.html's module scripts and modulepreloads, plus every chunk they import
//     statically (followed transitively);
//   - worker: the module workers the page starts (`new Worker(new URL('…'))` in those chunks) and
//     their static imports: the kernel worker starts at load and measures the first kernel.
// What does not: chunks reached only through a dynamic `import()` (tfjs and XNNPACK in the worker,
// wabt for the code panel, …): they are listed as lazy. Sizes are gzip level 9, 1 kB = 1000 bytes.
//
// Exit codes: 0 within budget, 1 over budget, 2 bad input (no build, unknown flag).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { errorMessage } from '../src/core/errors.ts';

/** Script and modulepreload URLs of an index.html, in document order. */
export function parseIndexHtml(html: string): { scripts: string[]; modulepreloads: string[] } {
  const scripts: string[] = [];
  const modulepreloads: string[] = [];
  const attr = (tag: string, name: string) =>
    new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const value = (m: RegExpExecArray | null) => (m ? (m[2] ?? m[3] ?? m[4]) : null);
  for (const m of html.matchAll(/<script\b[^>]*>/gi)) {
    const tag = m[0];
    const type = value(attr(tag, 'type'));
    const src = value(attr(tag, 'src'));
    if (src && type === 'module') scripts.push(src);
  }
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const tag = m[0];
    const rel = value(attr(tag, 'rel'));
    const href = value(attr(tag, 'href'));
    if (href && rel?.toLowerCase().split(/\s+/).includes('modulepreload')) modulepreloads.push(href);
  }
  return { scripts, modulepreloads };
}

/**
 * Specifiers of a chunk's static imports and re-exports (`import … from "x"`, `import "x"`,
 * `export … from "x"`); dynamic `import("x")` and `import.meta` are not static imports.
 */
export function staticImports(js: string): string[] {
  const found: string[] = [];
  const re = /\b(?:import|export)\s*(?:[^"'`();=]*?\bfrom\s*)?["']([^"']+)["']/g;
  for (const m of js.matchAll(re)) {
    // `export` only counts with `from` (an `export "x"` is not valid JS anyway).
    if (m[0].startsWith('export') && !/\bfrom\s*["']/.test(m[0])) continue;
    found.push(m[1]);
  }
  return found;
}

/** Module workers a chunk starts: `new Worker(new URL("…", import.meta.url))`. */
export function workerEntries(js: string): string[] {
  const re = /new\s+(?:Shared)?Worker\(\s*new\s+URL\(\s*[`"']([^`"']+)[`"']/g;
  return [...js.matchAll(re)].map((m) => m[1]);
}

/** Chunks a chunk loads with a dynamic `import("…")` (string literal or backtick without ${}). */
export function dynamicImports(js: string): string[] {
  const re = /\bimport\(\s*[`"']([^`"'$]+)[`"']\s*\)/g;
  return [...js.matchAll(re)].map((m) => m[1]);
}

/** A URL in the build (absolute `/assets/x.js` or relative to `from`) as a path inside dist. */
export function resolveInDist(spec: string, fromFile: string | null): string | null {
  if (/^[a-z]+:/i.test(spec) || spec.startsWith('//')) return null; // other origins, data:
  const clean = spec.split(/[?#]/)[0];
  if (clean.startsWith('/')) return path.posix.normalize(clean.slice(1));
  if (!fromFile) return path.posix.normalize(clean);
  return path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), clean));
}

export interface SizeReport {
  dist: string;
  budgetKb: number;
  page: Array<{ file: string; gzipBytes: number }>;
  worker: Array<{ file: string; gzipBytes: number }>;
  lazy: Array<{ file: string; gzipBytes: number }>;
  totalGzipBytes: number;
  withinBudget: boolean;
}

function gzipBytes(data: Buffer): number {
  return gzipSync(data, { level: 9 }).length;
}

/** Walks the build from index.html (see the module comment). */
export function measureBuild(dist: string, budgetKb: number): SizeReport {
  const read = (file: string) => readFileSync(path.join(dist, file));
  const html = read('index.html').toString('utf8');
  const { scripts, modulepreloads } = parseIndexHtml(html);

  const closure = (entries: string[]): { files: string[]; workers: string[]; dynamic: string[] } => {
    const seen = new Set<string>();
    const workers: string[] = [];
    const dynamic: string[] = [];
    const stack = [...entries];
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (seen.has(file) || !file.endsWith('.js')) continue;
      if (!existsSync(path.join(dist, file))) throw new Error(`${file} is referenced but missing from ${dist}`);
      seen.add(file);
      const js = read(file).toString('utf8');
      for (const spec of staticImports(js)) {
        const r = resolveInDist(spec, file);
        if (r) stack.push(r);
      }
      for (const spec of workerEntries(js)) {
        const r = resolveInDist(spec, file);
        if (r) workers.push(r);
      }
      for (const spec of dynamicImports(js)) {
        const r = resolveInDist(spec, file);
        if (r) dynamic.push(r);
      }
    }
    return { files: [...seen], workers, dynamic };
  };

  const pageEntries = [...scripts, ...modulepreloads]
    .map((s) => resolveInDist(s, null))
    .filter((s): s is string => s !== null);
  const page = closure(pageEntries);
  const worker = closure(page.workers);
  const firstLoad = new Set([...page.files, ...worker.files]);
  const sized = (files: string[]) => files.sort().map((file) => ({ file, gzipBytes: gzipBytes(read(file)) }));
  const pageRows = sized(page.files);
  const workerRows = sized(worker.files.filter((f) => !page.files.includes(f)));
  const allJs = existsSync(path.join(dist, 'assets'))
    ? readdirSync(path.join(dist, 'assets'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => `assets/${f}`)
    : [];
  const lazyRows = sized(allJs.filter((f) => !firstLoad.has(f)));
  const total = [...pageRows, ...workerRows].reduce((s, r) => s + r.gzipBytes, 0);
  return {
    dist,
    budgetKb,
    page: pageRows,
    worker: workerRows,
    lazy: lazyRows,
    totalGzipBytes: total,
    withinBudget: total <= budgetKb * 1000,
  };
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

export function formatReport(r: SizeReport): string {
  const lines: string[] = [];
  const rows = (title: string, list: SizeReport['page']) => {
    lines.push(title);
    if (list.length === 0) lines.push('  (none)');
    for (const row of list) lines.push(`  ${kb(row.gzipBytes).padStart(9)}  ${row.file}`);
  };
  rows('first load, page (index.html scripts, modulepreloads and their static imports):', r.page);
  rows('first load, worker (started at load, with its static imports):', r.worker);
  rows('lazy (dynamic import, not counted):', r.lazy);
  lines.push('');
  lines.push(
    `first-load JavaScript: ${kb(r.totalGzipBytes)} gzipped, budget ${r.budgetKb} kB: ` +
      (r.withinBudget
        ? `within budget (${kb(r.budgetKb * 1000 - r.totalGzipBytes)} to spare)`
        : `OVER BUDGET by ${kb(r.totalGzipBytes - r.budgetKb * 1000)}`),
  );
  return lines.join('\n');
}

function main(argv: string[]): number {
  let args: { dist?: string; 'budget-kb'?: string; json?: boolean };
  try {
    args = parseArgs({
      args: argv,
      strict: true,
      options: { dist: { type: 'string' }, 'budget-kb': { type: 'string' }, json: { type: 'boolean' } },
    }).values;
  } catch (e) {
    console.error(`bundle-size: ${errorMessage(e)}\nusage: npm run size -- [--dist dist] [--budget-kb 300] [--json]`);
    return 2;
  }
  const dist = args.dist ?? process.env.LOOPLAB_DIST ?? 'dist';
  const budgetKb = args['budget-kb'] === undefined ? 300 : Number(args['budget-kb']);
  if (!Number.isFinite(budgetKb) || budgetKb <= 0) {
    console.error(`bundle-size: --budget-kb wants a positive number, got '${args['budget-kb']}'`);
    return 2;
  }
  if (!existsSync(path.join(dist, 'index.html'))) {
    console.error(`bundle-size: no build in ${dist}/ (index.html missing); run npm run build first`);
    return 2;
  }
  const report = measureBuild(dist, budgetKb);
  console.log(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.withinBudget ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bundle-size.ts')) {
  process.exitCode = main(process.argv.slice(2));
}
