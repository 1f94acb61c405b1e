// The wasm text of a generated kernel, by wabt's own disassembler (wasm2wat in JS). wabt is large
// (~700 KB with its wasm inside), so it is imported only when someone asks for the text.
type Wabt = Awaited<ReturnType<typeof import('wabt')>>;
type ReadOptions = Parameters<Wabt['readWasm']>[1];

let wabtLoading: Promise<Wabt> | null = null;

function loadWabt(): Promise<Wabt> {
  wabtLoading ??= import('wabt')
    .then((m) => {
      // CommonJS module: the factory is the default export (or the module itself).
      const factory = ((m as { default?: unknown }).default ?? m) as () => Promise<Wabt>;
      return factory();
    })
    .catch((error: unknown) => {
      wabtLoading = null;
      throw error;
    });
  return wabtLoading;
}

/** The features our kernels use: SIMD128 and relaxed SIMD (f32x4.relaxed_madd). */
export const KERNEL_FEATURES: ReadOptions = { simd: true, relaxed_simd: true };

/** Disassembles a module to the wasm text format (one instruction per line, as wasm2wat prints it). */
export async function wasmToText(bytes: Uint8Array): Promise<string> {
  const wabt = await loadWabt();
  const module = wabt.readWasm(bytes, { readDebugNames: true, ...KERNEL_FEATURES });
  try {
    module.generateNames();
    module.applyNames();
    return module.toText({ foldExprs: false, inlineExport: false });
  } finally {
    module.destroy();
  }
}

/** How often each SIMD and memory instruction occurs in wasm text, most frequent first. */
export function instructionCounts(text: string): { op: string; count: number }[] {
  const counts = new Map<string, number>();
  const re = /^\s*((?:v128|f32x4|i32x4|f32|i32)\.[a-z0-9_]+)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const op = m[1];
    if (!/^(v128|f32x4|i32x4)\./.test(op) && !/load|store/.test(op)) continue;
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([op, count]) => ({ op, count }))
    .sort((a, b) => b.count - a.count || a.op.localeCompare(b.op));
}
