// npm run lint:deps: checks that imports in src/ and scripts/ follow the layers (README, "Repository layout";
// rules in .dependency-cruiser.cjs, in dependency-cruiser's format). Exit 1 on a violation.
//
// The graph is read with swc (scripts/importGraph.ts) and the rules applied here
// (scripts/depRules.ts): dependency-cruiser itself reads .tsx with swc only from 18.3, which wants
// Node 22, and TypeScript 7 has no JS API for its tsc parser.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Rule, violations } from './depRules.ts';
import { importGraph } from './importGraph.ts';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs') as { forbidden: Rule[] };
const root = fileURLToPath(new URL('..', import.meta.url));

const { files, dependencies } = importGraph(root, ['src', 'scripts']);
const unresolved = dependencies.filter((d) => !d.resolved);
for (const d of unresolved) console.error(`error not-resolvable: ${d.from} -> ${d.to}`);
const found = violations(config.forbidden, dependencies);
for (const v of found) {
  console.error(`${v.rule.severity ?? 'error'} ${v.rule.name}: ${v.from} -> ${v.to}`);
  if (v.rule.comment) console.error(`  (${v.rule.comment})`);
}
const count = found.length + unresolved.length;
console.log(
  `lint:deps: ${count} violation${count === 1 ? '' : 's'} in ${files.length} modules, ${dependencies.length} imports`,
);
process.exit(count === 0 ? 0 : 1);
