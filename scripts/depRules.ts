// The import rules of .dependency-cruiser.cjs applied to an import graph (scripts/importGraph.ts):
// the part of dependency-cruiser's rule format this project uses (from.path, from.pathNot,
// to.path, to.pathNot, to.dependencyTypesNot: ['type-only'], to.circular).
import type { Dependency } from './importGraph.ts';

export interface Rule {
  name: string;
  comment?: string;
  severity?: string;
  from: { path?: string; pathNot?: string };
  to: { path?: string; pathNot?: string; dependencyTypesNot?: string[]; circular?: boolean };
}

export interface Violation {
  rule: Rule;
  from: string;
  to: string;
}

/** Dependencies that lie on an import circle (their target leads back to their source). */
export function circularDependencies(dependencies: readonly Dependency[]): Set<Dependency> {
  const next = new Map<string, string[]>();
  for (const d of dependencies) next.set(d.from, [...(next.get(d.from) ?? []), d.to]);
  // Tarjan's strongly connected components, iteratively.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const component = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let counter = 0;
  let components = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const [node, i] = top;
      const targets = next.get(node) ?? [];
      if (i < targets.length) {
        top[1]++;
        const t = targets[i];
        if (!index.has(t)) {
          index.set(t, counter);
          low.set(t, counter++);
          stack.push(t);
          onStack.add(t);
          work.push([t, 0]);
        } else if (onStack.has(t)) {
          low.set(node, Math.min(low.get(node) ?? 0, index.get(t) ?? 0));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent) ?? 0, low.get(node) ?? 0));
      }
      if (low.get(node) === index.get(node)) {
        for (;;) {
          const member = stack.pop() as string;
          onStack.delete(member);
          component.set(member, components);
          if (member === node) break;
        }
        components++;
      }
    }
  }
  return new Set(
    dependencies.filter(
      (d) => d.from === d.to || (component.has(d.to) && component.get(d.to) === component.get(d.from)),
    ),
  );
}

/** Every dependency that a rule forbids, with the rule. */
export function violations(rules: readonly Rule[], dependencies: readonly Dependency[]): Violation[] {
  const circular = rules.some((r) => r.to.circular !== undefined) ? circularDependencies(dependencies) : new Set();
  const out: Violation[] = [];
  for (const d of dependencies) {
    for (const rule of rules) {
      const { from, to } = rule;
      if (from.path !== undefined && !new RegExp(from.path).test(d.from)) continue;
      if (from.pathNot !== undefined && new RegExp(from.pathNot).test(d.from)) continue;
      if (to.path !== undefined && !new RegExp(to.path).test(d.to)) continue;
      if (to.pathNot !== undefined && new RegExp(to.pathNot).test(d.to)) continue;
      if (to.dependencyTypesNot?.includes('type-only') && d.typeOnly) continue;
      if (to.circular !== undefined && circular.has(d) !== to.circular) continue;
      out.push({ rule, from: d.from, to: d.to });
    }
  }
  return out;
}
