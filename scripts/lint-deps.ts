// npm run lint:deps: checks that imports in src/ and scripts/ follow the layers (README, "Repository layout";
// rules in .dependency-cruiser.cjs), with dependency-cruiser's swc parser. Exit 1 on a violation.
//
// dependency-cruiser 18.3 is the first whose swc parser reads .tsx (TypeScript 7 has no JS API,
// so its tsc parser can't be used here); it declares Node 22, and its command line refuses Node 20
// (this project's), while its API runs on it. Hence this script rather than `depcruise src`.
import { createRequire } from 'node:module';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs') as IConfiguration;

const { output, exitCode } = await cruise(['src', 'scripts'], {
  ...config.options,
  validate: true,
  ruleSet: { forbidden: config.forbidden },
  outputType: 'json',
});
const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
const { violations, totalCruised, totalDependenciesCruised } = result.summary;
const comments = new Map((config.forbidden ?? []).map((rule) => [rule.name, rule.comment]));
for (const v of violations) {
  console.error(`${v.rule.severity} ${v.rule.name}: ${v.from} -> ${v.to}`);
  const comment = comments.get(v.rule.name);
  if (comment) console.error(`  (${comment})`);
}
console.log(
  `lint:deps: ${violations.length} violation${violations.length === 1 ? '' : 's'} in ${totalCruised} modules, ${totalDependenciesCruised} imports`,
);
process.exit(exitCode === 0 && violations.length === 0 ? 0 : 1);
