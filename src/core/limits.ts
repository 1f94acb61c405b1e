// Limits shared by the schedule parser, the actions and everything that reads a state (links,
// files, sessions). Each is checked before parsing, so that megabytes of input are refused at once.

/** Most loops a nest may hold (LoopTune's cap). */
export const MAX_LOOPS = 10;

/**
 * Most characters of schedule text (a typed schedule, a `set:` step, a link's `s=`, `--schedule`).
 * Ten loops with their trips, tails and a parallel mark take well under a hundred; the DSL's own
 * cap (MAX_PROBLEM_CHARS) bounds variable names the same way.
 */
export const MAX_SCHEDULE_CHARS = 10_000;

/** Most actions in a history read from a link, a file or a session. */
export const MAX_LOG_ACTIONS = 10_000;
