// The import rules on small graphs: layers, type-only exceptions, circles.
import { describe, expect, it } from 'vitest';
import { circularDependencies, type Rule, violations } from './depRules.ts';
import type { Dependency } from './importGraph.ts';

const dep = (from: string, to: string, typeOnly = false): Dependency => ({ from, to, typeOnly, resolved: true });

const rules: Rule[] = [
  { name: 'core-below', from: { path: '^src/core/' }, to: { path: '^src/(store|ui)/' } },
  {
    name: 'store-codegen-types',
    from: { path: '^src/store/', pathNot: '\\.test\\.ts$' },
    to: { path: '^src/codegen/', dependencyTypesNot: ['type-only'] },
  },
  { name: 'no-circles', from: { path: '^src/runtime/' }, to: { circular: true } },
];

describe('violations', () => {
  it('finds imports against the layers, except type-only ones and excluded sources', () => {
    const found = violations(rules, [
      dep('src/core/a.ts', 'src/store/b.ts'),
      dep('src/core/a.ts', 'src/core/c.ts'),
      dep('src/store/b.ts', 'src/codegen/index.ts'),
      dep('src/store/b.ts', 'src/codegen/types.ts', true),
      dep('src/store/b.test.ts', 'src/codegen/index.ts'),
    ]);
    expect(found.map((v) => [v.rule.name, v.from, v.to])).toEqual([
      ['core-below', 'src/core/a.ts', 'src/store/b.ts'],
      ['store-codegen-types', 'src/store/b.ts', 'src/codegen/index.ts'],
    ]);
  });

  it('finds the imports of a circle, type-only ones too, and nothing outside it', () => {
    const graph = [
      dep('src/runtime/core.ts', 'src/runtime/conv.ts'),
      dep('src/runtime/conv.ts', 'src/runtime/core.ts', true),
      dep('src/runtime/core.ts', 'src/runtime/tf.ts'),
      dep('src/runtime/x.ts', 'src/runtime/x.ts'),
    ];
    expect([...circularDependencies(graph)].map((d) => `${d.from} -> ${d.to}`)).toEqual([
      'src/runtime/core.ts -> src/runtime/conv.ts',
      'src/runtime/conv.ts -> src/runtime/core.ts',
      'src/runtime/x.ts -> src/runtime/x.ts',
    ]);
    expect(violations(rules, graph.slice(0, 3)).map((v) => v.from)).toEqual([
      'src/runtime/core.ts',
      'src/runtime/conv.ts',
    ]);
  });
});
