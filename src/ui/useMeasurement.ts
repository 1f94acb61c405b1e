// Measures one schedule (and the machine's peak) in the runtime's Web Worker.
// Every failure (worker, generator, compile, check) ends as a readable message in state,
// never as an uncaught error.
import { useEffect, useState } from 'react';
import { createRuntimeClient, type RuntimeClient } from '../runtime/workerClient.ts';
import type { Measurement } from '../runtime/measure.ts';
import { errorMessage } from './errors.ts';


export type MeasureState =
  | { state: 'starting' }
  | { state: 'measuring' }
  | { state: 'done'; kernel: Measurement }
  | { state: 'error'; message: string };

export type PeakState =
  | { state: 'pending' }
  /** `peak`: GFLOPS of the machine's SIMD multiply-add ceiling (best sample). */
  | { state: 'done'; peak: number }
  | { state: 'error'; message: string };

export function useMeasurement(problemText: string | null, scheduleText: string | null) {
  const [kernel, setKernel] = useState<MeasureState>({ state: 'starting' });
  const [peak, setPeak] = useState<PeakState>({ state: 'pending' });

  useEffect(() => {
    if (problemText === null || scheduleText === null) return;
    let cancelled = false;
    let client: RuntimeClient | null = null;
    setKernel({ state: 'starting' });
    setPeak({ state: 'pending' });

    const run = async () => {
      try {
        client = createRuntimeClient();
        await client.init();
      } catch (error) {
        if (cancelled) return;
        const message = `the measuring worker did not start: ${errorMessage(error)}`;
        setKernel({ state: 'error', message });
        setPeak({ state: 'error', message });
        return;
      }
      if (cancelled) return;
      setKernel({ state: 'measuring' });
      try {
        const result = await client.measure(problemText, scheduleText, {});
        if (!cancelled) setKernel({ state: 'done', kernel: result });
      } catch (error) {
        if (!cancelled) setKernel({ state: 'error', message: errorMessage(error) });
      }
      if (cancelled) return;
      try {
        const result = await client.peak();
        if (!cancelled) setPeak({ state: 'done', peak: result });
      } catch (error) {
        if (!cancelled) setPeak({ state: 'error', message: errorMessage(error) });
      }
    };
    void run();

    return () => {
      cancelled = true;
      client?.terminate();
    };
  }, [problemText, scheduleText]);

  return { kernel, peak };
}
