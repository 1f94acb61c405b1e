// Lesson progress in IndexedDB (database `looplab-lessons`, store `progress`, key `lessonId`): which
// tasks are done, when, on which schedule and at how many GFLOPS. Records are read back as
// unknown values and checked: a damaged record (or task entry) is left out with a note saying
// why, and never crashes the page; the next completed task of that lesson writes a sound record.
import { LESSONS } from './lessons.ts';
import { errorMessage } from '../core/errors.ts';

export interface TaskRecord {
  doneAt: number;
  /** The schedule the task was done on. */
  schedule: string;
  gflops: number | null;
  /** Threads the figure was measured on; absent in records from before it was kept. */
  threads?: number;
}

export interface LessonProgress {
  lessonId: string;
  tasks: Record<string, TaskRecord>;
  updatedAt: number;
}

/** Where progress is kept (src/store/recordStorage.ts: IndexedDB in the page, a Map in tests). Reads return raw values. */
export interface ProgressStorage {
  list(): Promise<{ id: string; value: unknown }[]>;
  put(record: LessonProgress): Promise<void>;
  delete(id: string): Promise<void>;
}

/** The database and object store of lesson progress, keyed by `lessonId`. */
export const PROGRESS_DB = 'looplab-lessons';
export const PROGRESS_STORE = 'progress';

function checkTask(value: unknown): TaskRecord | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'is not a task record';
  const t = value as Partial<Record<keyof TaskRecord, unknown>>;
  if (typeof t.doneAt !== 'number' || !Number.isFinite(t.doneAt)) return 'has no time';
  if (typeof t.schedule !== 'string') return 'has no schedule';
  if (t.gflops !== null && t.gflops !== undefined && (typeof t.gflops !== 'number' || !Number.isFinite(t.gflops)))
    return 'has a GFLOPS that is not a number';
  const task: TaskRecord = {
    doneAt: t.doneAt,
    schedule: t.schedule,
    gflops: typeof t.gflops === 'number' ? t.gflops : null,
  };
  if (typeof t.threads === 'number' && Number.isInteger(t.threads) && t.threads >= 1) task.threads = t.threads;
  return task;
}

/**
 * Checks a stored value. Returns what can be kept (tasks of a known lesson with sound entries)
 * and a sentence per problem. `progress` is null when nothing of it can be used.
 */
export function checkProgress(id: string, value: unknown): { progress: LessonProgress | null; problems: string[] } {
  const lesson = LESSONS.find((l) => l.id === id);
  if (!lesson) return { progress: null, problems: [`saved progress for '${id}', which is not a lesson, was ignored`] };
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {
      progress: null,
      problems: [`the saved progress of '${lesson.title}' is damaged (not a progress record) and was ignored`],
    };
  }
  const r = value as { tasks?: unknown; updatedAt?: unknown };
  if (!r.tasks || typeof r.tasks !== 'object' || Array.isArray(r.tasks)) {
    return {
      progress: null,
      problems: [`the saved progress of '${lesson.title}' is damaged (no list of tasks) and was ignored`],
    };
  }
  const problems: string[] = [];
  const tasks: Record<string, TaskRecord> = {};
  for (const [taskId, entry] of Object.entries(r.tasks as Record<string, unknown>)) {
    if (!lesson.tasks.some((t) => t.id === taskId)) continue;
    const t = checkTask(entry);
    if (typeof t === 'string') problems.push(`the saved task '${taskId}' of '${lesson.title}' ${t} and was ignored`);
    else tasks[taskId] = t;
  }
  const updatedAt = typeof r.updatedAt === 'number' && Number.isFinite(r.updatedAt) ? r.updatedAt : 0;
  return { progress: { lessonId: id, tasks, updatedAt }, problems };
}

/** Reads every record; a failing storage becomes a problem sentence, never a rejection. */
export async function loadProgress(
  storage: ProgressStorage,
): Promise<{ byLesson: Record<string, LessonProgress>; problems: string[] }> {
  const byLesson: Record<string, LessonProgress> = {};
  const problems: string[] = [];
  let rows: { id: string; value: unknown }[];
  try {
    rows = await storage.list();
  } catch (error) {
    return { byLesson, problems: [`lesson progress could not be read: ${errorMessage(error)}`] };
  }
  for (const { id, value } of rows) {
    const c = checkProgress(id, value);
    problems.push(...c.problems);
    if (c.progress) byLesson[id] = c.progress;
  }
  return { byLesson, problems };
}
