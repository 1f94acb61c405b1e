// The committed generator build must come from the current wasm/ sources.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('committed generator build', () => {
  it('was built from the current wasm/ sources (run `npm run build:wasm` after changing them)', () => {
    const stamp = JSON.parse(readFileSync(new URL('./generated/sources.json', import.meta.url), 'utf8'));
    const script = new URL('../../scripts/wasm-sources-hash.mjs', import.meta.url);
    const current = JSON.parse(execFileSync(process.execPath, [script.pathname], { encoding: 'utf8' }));
    expect(current.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stamp.sha256).toBe(current.sha256);
  });
});
