// What every slice creator receives: the store's set/get and the injected services.
import type { StoreApi } from 'zustand/vanilla';
import type { LabService } from './agentLabTypes.ts';
import type { SessionStorage } from './sessions.ts';
import type { ResolvedSnapshot } from './snapshot.ts';
import type { AgentDriver, LooplabState, Measurer, PeakStorage } from './types.ts';

export type SetState = StoreApi<LooplabState>['setState'];
export type GetState = StoreApi<LooplabState>['getState'];

export interface SliceDeps {
  /** The state the store starts in (checked). */
  initial: ResolvedSnapshot;
  measurer?: Measurer;
  /** Where the peak is kept per device; without it the peak is measured on every load. */
  peakStorage?: PeakStorage;
  persistence?: SessionStorage;
  /** The agent (its worker in the page); without it the agent is unavailable. */
  agent?: AgentDriver;
  /** The agent lab (its worker in the page): races and fine-tuning; without it they are unavailable. */
  lab?: LabService;
}

export type SliceCreator<T> = (set: SetState, get: GetState, deps: SliceDeps) => T;
