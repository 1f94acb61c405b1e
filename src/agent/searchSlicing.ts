import type { SliceOptions } from '../runtime/slice.ts';

/**
 * Slices for searching and training: a kernel whose full run would take over 10 ms is timed on
 * slices of about 3 ms (at least one iteration of its outermost loop), so that a measurement
 * of a 2048^3 matmul costs about what one of a 256^3 does (the CLIs re-measure the answer on the
 * default slices, SLICE_TARGET_MS).
 */
export const SEARCH_SLICING: SliceOptions = { fullRunMs: 10, targetMs: 3 };

/** What the page says of the searches' figures: which kernels are timed on slices, and how long. */
export const SEARCH_SLICING_NOTE = `a kernel that would run over ${SEARCH_SLICING.fullRunMs} ms is timed on a slice of its first iterations, about ${SEARCH_SLICING.targetMs} ms`;
