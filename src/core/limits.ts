// Limits shared by the schedule parser and the actions.

/** Most loops a nest may hold (LoopTune's cap). */
export const MAX_LOOPS = 10;
