// Whether a page can run kernels on threads, and on how many: pure rules, shared by the kernel
// worker (which refuses threads without shared memory) and the store (which picks the number).
import { MAX_THREADS } from './threads.ts';

export interface ThreadSupport {
  /** Cross-origin isolated with SharedArrayBuffer: shared memory, hence threads, are available. */
  isolated: boolean;
  /** Logical processors the browser reports (navigator.hardwareConcurrency). */
  hardware: number;
  /** The page is inside a frame (an embed): isolation then also depends on the page around it. */
  framed?: boolean;
}

export const THREADS_OFF_REASON =
  'threads are off: the page is not cross-origin isolated (it is served without the COOP/COEP headers, and its service worker, which adds them, is not in charge yet or is blocked), so the browser gives it no shared memory and kernels run on one thread';

export const FRAMED_THREADS_OFF_REASON =
  'threads are off: this embed is not cross-origin isolated (a frame gets shared memory only when the page around it is isolated too), so kernels run on one thread; open it in its own tab for threads';

/** What this page or worker has. */
export function threadSupportHere(
  scope: {
    crossOriginIsolated?: boolean;
    navigator?: { hardwareConcurrency?: number };
    top?: unknown;
    self?: unknown;
  } = globalThis,
): ThreadSupport {
  const support: ThreadSupport = {
    isolated: scope.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function',
    hardware: scope.navigator?.hardwareConcurrency ?? 1,
  };
  // Only a window has `top`; a worker can't tell whether its page is framed.
  if (scope.top !== undefined && scope.top !== scope.self) support.framed = true;
  return support;
}

/** Why threads can't run here, or null when they can. */
export function threadsOffReason(support: ThreadSupport): string | null {
  if (support.isolated) return null;
  return support.framed ? FRAMED_THREADS_OFF_REASON : THREADS_OFF_REASON;
}

/** A thread count within 1..MAX_THREADS (a bad number counts as 1). */
export function clampThreads(n: number): number {
  if (!Number.isFinite(n)) return 1;
  return Math.min(MAX_THREADS, Math.max(1, Math.floor(n)));
}

/** The threads a parallel loop runs on: the chosen number, else one per processor; 1 without shared memory. */
export function effectiveThreads(chosen: number | null, support: ThreadSupport): number {
  if (!support.isolated) return 1;
  return clampThreads(chosen ?? support.hardware);
}
