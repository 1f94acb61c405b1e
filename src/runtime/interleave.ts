// Samples of a kernel interleaved with samples of a fixed reference kernel: reference, kernel,
// reference, kernel, ..., reference. Load on the machine slows both neighbours of a kernel sample
// alike, so the kernel's time relative to the reference samples beside it stays put when the
// machine gets busy, and a burst of load shows up as a spread of those ratios rather than as a
// slower kernel. The caller scales the ratios by the reference's usual speed.

export interface InterleaveOptions {
  /** Kernel samples to take (each between two reference samples). */
  pairs: number;
  /** Calls of the kernel per sample. */
  callsPerSample: number;
  /** Calls of the reference per sample. */
  referenceCallsPerSample: number;
  /** Called before each kernel sample, outside the timed region (e.g. to reset the output). */
  beforeSample?: () => void;
  /** Checked before each kernel sample: once true, the samples so far are returned. */
  stop?: () => boolean;
  /** Clock in ms; default `performance.now`. */
  now?: () => number;
}

export interface InterleavedSamples {
  /** Seconds per kernel call of each kernel sample, in order. */
  kernelSeconds: number[];
  /** Seconds per reference call of each reference sample (one more than the kernel samples, none when stopped at once). */
  referenceSeconds: number[];
}

function timeCalls(thunk: () => void, calls: number, now: () => number): number {
  const t0 = now();
  for (let i = 0; i < calls; i++) thunk();
  return (now() - t0) / 1000 / calls;
}

export function interleavedSamples(
  kernel: () => void,
  reference: () => void,
  options: InterleaveOptions,
): InterleavedSamples {
  const now = options.now ?? (() => performance.now());
  const calls = Math.max(1, Math.floor(options.callsPerSample));
  const refCalls = Math.max(1, Math.floor(options.referenceCallsPerSample));
  const kernelSeconds: number[] = [];
  if (options.stop?.()) return { kernelSeconds, referenceSeconds: [] };
  const referenceSeconds = [timeCalls(reference, refCalls, now)];
  for (let p = 0; p < options.pairs; p++) {
    if (options.stop?.()) break;
    options.beforeSample?.();
    kernelSeconds.push(timeCalls(kernel, calls, now));
    referenceSeconds.push(timeCalls(reference, refCalls, now));
  }
  return { kernelSeconds, referenceSeconds };
}

/**
 * Each kernel sample's time over the mean of the two reference samples beside it: how many
 * reference calls' worth of time one kernel call took while the machine was in that state.
 */
export function relativeTimes(samples: InterleavedSamples): number[] {
  const { kernelSeconds: k, referenceSeconds: r } = samples;
  if (k.length === 0) return [];
  if (r.length !== k.length + 1) throw new Error(`expected ${k.length + 1} reference samples, got ${r.length}`);
  return k.map((t, i) => t / ((r[i] + r[i + 1]) / 2));
}
