// What a schedule change did to the simulated misses, for the explanations: per level and tensor,
// the misses before and after on one machine, and the largest changes in a sentence
// ("B's L1d misses: 2.10 M → 260 k").
import { formatCount } from '../format.ts';
import type { CacheFigures } from './figures.ts';

export interface MissesChange {
  level: string;
  tensor: string;
  before: number;
  after: number;
}

/** A change smaller than this factor is not worth a mention. */
const NOTABLE = 1.2;

/** How far apart two counts are, as a factor of at least 1 (a count of 0 counts as 1). */
function factor(a: number, b: number): number {
  const x = Math.max(a, 1);
  const y = Math.max(b, 1);
  return x > y ? x / y : y / x;
}

/** Every level's misses per tensor, before and after (both simulated on the same machine). */
export function missesChanges(before: CacheFigures, after: CacheFigures): MissesChange[] {
  if (before.machine.id !== after.machine.id) return [];
  return after.levels.flatMap((level, l) =>
    level.tensors.map((t, i) => ({
      level: level.name,
      tensor: t.tensor,
      before: before.levels[l]?.tensors[i]?.misses ?? 0,
      after: t.misses,
    })),
  );
}

function changeText(c: MissesChange): string {
  return `${c.tensor}'s ${c.level} misses: ${formatCount(c.before)} → ${formatCount(c.after)}`;
}

/**
 * The largest changes of simulated misses (at most `most`, by factor), in words, with the machine;
 * when nothing changed by 20%, says so with the total misses of the first level.
 */
export function missesChangeSentence(before: CacheFigures, after: CacheFigures, most = 3): string | null {
  const changes = missesChanges(before, after);
  if (changes.length === 0) return null;
  const notable = changes
    .filter((c) => factor(c.before, c.after) >= NOTABLE)
    .sort((a, b) => factor(b.before, b.after) - factor(a.before, a.after))
    .slice(0, most);
  const on = `simulated on ${after.machine.name}`;
  if (notable.length === 0) {
    const l1 = after.levels[0];
    const total = before.levels[0]?.total.misses ?? 0;
    return `Simulated misses hardly change (${l1.name}: ${formatCount(total)} → ${formatCount(l1.total.misses)}, ${on})`;
  }
  return `${notable.map(changeText).join('; ')} (${on})`;
}

/** Per level, its misses per tensor in a line: `L1d misses: C 4.10 k, A 1.20 k, B 260 k`. */
export function missesSummary(figures: CacheFigures): string[] {
  return figures.levels.map(
    (level) => `${level.name} misses: ${level.tensors.map((t) => `${t.tensor} ${formatCount(t.misses)}`).join(', ')}`,
  );
}
