// Reading a typed schedule: the core's parser, and where its error goes in the typed text (the
// loop written at the error's column, or the end of the text when something is missing there).
// Pure: tested beside this file.
import { errorMessage } from '../core/errors.ts';
import { parseSchedule, ScheduleError } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';

export type ScheduleReading =
  | { ok: true; schedule: Schedule }
  /** `from`/`to`: the part of the text the message is about (0-based, end exclusive; empty at the end). */
  | { ok: false; message: string; from: number; to: number };

/** The schedule `text` names for `problem`, or the parser's message with the place it points at. */
export function readScheduleInput(problem: Problem, text: string): ScheduleReading {
  try {
    return { ok: true, schedule: parseSchedule(problem, text) };
  } catch (e) {
    if (!(e instanceof ScheduleError)) return { ok: false, message: errorMessage(e), from: 0, to: text.length };
    const from = Math.min(Math.max(0, e.col - 1), text.length);
    const space = text.slice(from).search(/\s/);
    return { ok: false, message: e.message, from, to: space < 0 ? text.length : from + space };
  }
}
