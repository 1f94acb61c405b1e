// Node only: compiles C exports (simdCExport) with Emscripten into one standalone wasm module
// that owns its memory and exports each kernel and malloc. For the export's test and
// `npm run bench -- --c-export`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CKernels {
  memory: WebAssembly.Memory;
  malloc(bytes: number): number;
  /** The kernel named `name`: kernel(outPtr, in0Ptr, in1Ptr), byte addresses in `memory`. */
  kernel(name: string): (out: number, in0: number, in1: number) => void;
  /** Milliseconds emcc took. */
  compileMs: number;
}

/** Runs emcc in `dir`; a failure says what emcc said. */
function emcc(dir: string, args: string[]): void {
  try {
    // emcc's JS optimizer needs Debian's node modules (acorn).
    const env = { ...process.env, NODE_PATH: process.env.NODE_PATH ?? '/usr/share/nodejs' };
    execFileSync('emcc', args, { cwd: dir, stdio: 'pipe', env });
  } catch (error) {
    const said = (error as { stderr?: Buffer }).stderr?.toString().trim().slice(-2000) ?? String(error);
    throw new Error(`emcc ${args.join(' ')} failed: ${said}`);
  }
}

/** Whether emcc can be run here. */
export function emccAvailable(): boolean {
  try {
    execFileSync('emcc', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles the C sources (each defining the function of its `name`) with `emcc -O2 -msimd128`
 * (and -mrelaxed-simd when asked) and instantiates the module with room for `memoryBytes`.
 */
export async function compileCKernels(
  sources: { name: string; source: string }[],
  options: { relaxed?: boolean; memoryBytes?: number } = {},
): Promise<CKernels> {
  const dir = mkdtempSync(join(tmpdir(), 'looplab-c-'));
  try {
    for (const [i, { source }] of sources.entries()) writeFileSync(join(dir, `kernel${i}.c`), source);
    writeFileSync(join(dir, 'all.c'), sources.map((_, i) => `#include "kernel${i}.c"`).join('\n'));
    // Room for emcc's stack (5 MiB) and data besides the tensors.
    const pages = Math.ceil(((options.memoryBytes ?? 0) + 2 ** 24) / 65536);
    const exported = ['_malloc', ...sources.map((s) => `_${s.name}`)].join(',');
    const t0 = performance.now();
    emcc(dir, [
      '-O2',
      '-msimd128',
      ...(options.relaxed ? ['-mrelaxed-simd'] : []),
      '--no-entry',
      '-sSTANDALONE_WASM',
      `-sEXPORTED_FUNCTIONS=${exported}`,
      `-sINITIAL_MEMORY=${pages * 65536}`,
      '-o',
      'all.wasm',
      'all.c',
    ]);
    const compileMs = performance.now() - t0;
    const { instance } = await WebAssembly.instantiate(readFileSync(join(dir, 'all.wasm')), {});
    const exports = instance.exports as Record<string, unknown>;
    (exports._initialize as (() => void) | undefined)?.();
    return {
      memory: exports.memory as WebAssembly.Memory,
      malloc: exports.malloc as (bytes: number) => number,
      kernel: (name) => exports[name] as (out: number, in0: number, in1: number) => void,
      compileMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether emcc's clang has the relaxed madd intrinsic (clang 16+); older ones compile
 * simdCExport's LOOPLAB_RELAXED_MADD as f32x4.mul + f32x4.add.
 */
export function emccRelaxedMadd(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'looplab-c-'));
  try {
    writeFileSync(
      join(dir, 'probe.c'),
      '#if !(defined(__has_builtin) && __has_builtin(__builtin_wasm_relaxed_madd_f32x4))\n#error no relaxed madd\n#endif\n',
    );
    execFileSync('emcc', ['-msimd128', '-mrelaxed-simd', '-c', 'probe.c', '-o', 'probe.o'], {
      cwd: dir,
      stdio: 'pipe',
    });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
