// The shipped policy's learning curve (public/agent/learning-curve.csv, written by `npm run train`),
// read for the agent lab's chart.
import { csvParseRows } from 'd3';
import type { LearningCurveRow } from './agentLabTypes.ts';

const COLUMNS: (keyof LearningCurveRow)[] = ['wall_s', 'val_speedup', 'val_final_speedup', 'train_return', 'episode'];

/** Parses the learning curve CSV (train.ts's columns); throws with a message on a bad file. */
export function parseLearningCurve(text: string): LearningCurveRow[] {
  const [header = [], ...rows] = csvParseRows(text.trim());
  const columns = header.map((h) => h.trim());
  const missing = COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length) throw new Error(`the learning curve has no column ${missing.join(', ')}`);
  return rows.map((cells, i) => {
    if (cells.length !== columns.length)
      throw new Error(`the learning curve's row ${i + 2} has ${cells.length} cells, not ${columns.length}`);
    const row = {} as LearningCurveRow;
    // Blank cells (no loss before learning starts) read as NaN.
    for (const c of COLUMNS) {
      const cell = cells[columns.indexOf(c)].trim();
      row[c] = cell === '' ? NaN : Number(cell);
    }
    return row;
  });
}
