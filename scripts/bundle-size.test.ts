import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dynamicImports,
  formatReport,
  measureBuild,
  parseIndexHtml,
  resolveInDist,
  staticImports,
  workerEntries,
} from './bundle-size.ts';

describe('parseIndexHtml', () => {
  it('finds module scripts and modulepreloads, not stylesheets, icons or classic scripts', () => {
    const html = `<!doctype html><head>
      <link rel="icon" href="data:," />
      <script type="module" crossorigin src="/assets/index-abc.js"></script>
      <link rel="modulepreload" crossorigin href="/assets/react-def.js">
      <link rel='modulepreload' href='/assets/vendor-1.js'>
      <link rel="stylesheet" crossorigin href="/assets/index-x.css">
      <script src="/legacy.js"></script>
      <script type="module">inline()</script>`;
    expect(parseIndexHtml(html)).toEqual({
      scripts: ['/assets/index-abc.js'],
      modulepreloads: ['/assets/react-def.js', '/assets/vendor-1.js'],
    });
  });
});

describe('imports in built chunks', () => {
  const js =
    'import{a as b,c}from"./react-1.js";import"./side-2.js";import*as d from\'./ns-3.js\';export{x}from"./re-4.js";' +
    'const w=new Worker(new URL(`/assets/worker-5.js`,``+import.meta.url),{type:`module`});' +
    'const l=()=>import(`./wabt-6.js`);const m=()=>import("./tf-7.js");const u=new URL(`x.wasm`,import.meta.url);' +
    'const s="import nothing from here";';
  it('static imports and re-exports, not dynamic imports or import.meta', () => {
    expect(staticImports(js)).toEqual(['./react-1.js', './side-2.js', './ns-3.js', './re-4.js']);
  });
  it('worker entries and dynamic imports', () => {
    expect(workerEntries(js)).toEqual(['/assets/worker-5.js']);
    expect(dynamicImports(js)).toEqual(['./wabt-6.js', './tf-7.js']);
  });
  it('resolves build URLs to paths inside dist', () => {
    expect(resolveInDist('/assets/a.js', null)).toBe('assets/a.js');
    expect(resolveInDist('./b.js', 'assets/a.js')).toBe('assets/b.js');
    expect(resolveInDist('../c.js?v=1', 'assets/x/a.js')).toBe('assets/c.js');
    expect(resolveInDist('https://cdn.example/x.js', null)).toBeNull();
  });
});

describe('measureBuild', () => {
  it('counts the page and the worker it starts, and lists dynamic chunks as lazy', () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'looplab-size-'));
    mkdirSync(path.join(dist, 'assets'));
    const put = (file: string, text: string) => writeFileSync(path.join(dist, file), text);
    put(
      'index.html',
      '<script type="module" src="/assets/index.js"></script><link rel="modulepreload" href="/assets/pre.js">',
    );
    put(
      'assets/index.js',
      'import"./shared.js";new Worker(new URL("/assets/worker.js",import.meta.url));import("./lazy.js");',
    );
    put('assets/pre.js', 'export const p=1;');
    put('assets/shared.js', 'export const s=2;');
    put('assets/worker.js', 'import"./shared.js";import"./wdep.js";import("./tf.js");');
    put('assets/wdep.js', 'export const w=3;');
    put('assets/lazy.js', 'x'.repeat(5000));
    put('assets/tf.js', 'y'.repeat(5000));
    const r = measureBuild(dist, 300);
    expect(r.page.map((x) => x.file)).toEqual(['assets/index.js', 'assets/pre.js', 'assets/shared.js']);
    expect(r.worker.map((x) => x.file)).toEqual(['assets/wdep.js', 'assets/worker.js']);
    expect(r.lazy.map((x) => x.file)).toEqual(['assets/lazy.js', 'assets/tf.js']);
    expect(r.totalGzipBytes).toBe([...r.page, ...r.worker].reduce((s, x) => s + x.gzipBytes, 0));
    expect(r.withinBudget).toBe(true);
    expect(formatReport(r)).toMatch(/first-load JavaScript: [\d.]+ kB gzipped, budget 300 kB: within budget/);
    expect(measureBuild(dist, 0.01).withinBudget).toBe(false);
    expect(formatReport(measureBuild(dist, 0.01))).toContain('OVER BUDGET');
  });
});
