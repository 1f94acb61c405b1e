// The export menu's compilable exports: Halide (C++) and C with wasm SIMD intrinsics, downloaded
// and copied, each headed by the problem, the schedule and the looplab version that wrote it.
import { readFile } from 'node:fs/promises';
import type { Download, Page } from '@playwright/test';
import pkg from '../package.json' with { type: 'json' };
import { expect, test } from './fixtures.ts';

const HEAD = ['// problem: C[m,n] += A[m,k] * B[k,n]', '// sizes: m=64, n=64, k=64', '// schedule: m:16 m:4 n:64 k:64'];

async function downloaded(page: Page): Promise<{ name: string; text: string }> {
  const event: Promise<Download> = page.waitForEvent('download');
  await page.getByTestId('export-download').click();
  const download = await event;
  return { name: download.suggestedFilename(), text: await readFile((await download.path()) as string, 'utf8') };
}

test('Halide and C with wasm SIMD intrinsics: download and copy, headed by problem, schedule and version', async ({
  page,
  context,
  shot,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/#preset=matmul-64&a=split_4&panels=problem,nest,code,perf');
  await expect(page.getByTestId('schedule')).toHaveText('m:16 m:4 n:64 k:64');

  await page.getByTestId('export-format').selectOption('halide');
  const halide = await downloaded(page);
  expect(halide.name).toBe('looplab-m16m4n64k64.halide.cpp');
  const halideLines = halide.text.split('\n');
  expect(halideLines[0]).toBe(`// Halide C++ pipeline and schedule, written by looplab ${pkg.version}`);
  expect(halideLines.slice(1, 4)).toEqual(HEAD);
  expect(halide.text).toContain('#include <Halide.h>');
  expect(halide.text).toContain('s.vectorize(');

  // The SIMD C is written from the measured kernel's report: it appears once the figure is in.
  await page.getByTestId('export-format').selectOption('simd-c');
  await expect(page.getByTestId('export-preview')).toContainText('#include <wasm_simd128.h>', { timeout: 60_000 });
  const simd = await downloaded(page);
  expect(simd.name).toBe('looplab-m16m4n64k64.simd.c');
  const simdLines = simd.text.split('\n');
  expect(simdLines[0]).toBe(`// C with WebAssembly SIMD intrinsics, written by looplab ${pkg.version}`);
  expect(simdLines.slice(1, 4)).toEqual(HEAD);
  expect(simd.text).toMatch(/v128_t acc0 = wasm_f32x4_splat\(0\.0f\);/);
  await page.getByTestId('export-copy').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'copied the C with wasm SIMD intrinsics' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(simd.text);
  await shot('exports-simd-c', page.getByTestId('exchange-panel'));
});
