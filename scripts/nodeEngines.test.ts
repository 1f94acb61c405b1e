// `npm ci` prints no engine warning on the Node versions package.json states: the lowest version of
// each range in its "engines" satisfies every locked package's own "engines" (a dependency that
// wants a newer Node, as dependency-cruiser 18 wanted Node 22, makes this fail).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Version = [number, number, number];

function parseVersion(text: string): Version {
  const [major = 0, minor = 0, patch = 0] = text.split('.').map((p) => (p === 'x' || p === '*' ? 0 : Number(p)));
  return [major, minor, patch];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** One comparator of a semver range (`>=20`, `^20.19.0`, `4.x`, `*`), the forms package locks hold. */
function satisfiesComparator(version: Version, comparator: string): boolean {
  if (comparator === '*' || comparator === '') return true;
  const m = /^(>=|<=|>|<|\^|~|=)?v?(\d+(?:\.(?:\d+|x))?(?:\.(?:\d+|x))?)$/.exec(comparator);
  if (!m) throw new Error(`unsupported range part '${comparator}'`);
  const [, op = '', text] = m;
  const v = parseVersion(text);
  const c = compare(version, v);
  const parts = text.split('.').length;
  switch (op) {
    case '>=':
      return c >= 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '<':
      return c < 0;
    case '^':
      return c >= 0 && version[0] === v[0] && (v[0] > 0 || version[1] === v[1]);
    case '~':
      return c >= 0 && version[0] === v[0] && (parts < 2 || version[1] === v[1]);
    default:
      // `4.x`, `4`, `4.2` and `=4.2.1`: every part given must match.
      return version.slice(0, parts).every((x, i) => text.split('.')[i] === 'x' || x === v[i]);
  }
}

function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split('||').some((alt) =>
    alt
      .trim()
      .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
      .split(/\s+/)
      .every((c) => satisfiesComparator(v, c)),
  );
}

/** The lowest version each alternative of a range like `^20.19.0 || >=22.13.0` allows. */
function lowestVersions(range: string): string[] {
  return range.split('||').map((alt) => {
    const m = /^\s*(?:\^|>=)\s*(\d+\.\d+\.\d+)\s*$/.exec(alt);
    if (!m) throw new Error(`state the Node range as '^X.Y.Z || >=X.Y.Z' alternatives, got '${alt.trim()}'`);
    return m[1];
  });
}

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines?: { node?: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};

describe('the Node versions looplab states', () => {
  it('reads the ranges package locks hold', () => {
    expect(satisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('20.18.3', '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies('22.12.0', '^20.19.0 || ^22.13.0 || >=23.5.0')).toBe(false);
    expect(satisfies('22.13.0', '^20.19.0 || ^22.13.0 || >=23.5.0')).toBe(true);
    expect(satisfies('20.19.0', '>= 10')).toBe(true);
    expect(satisfies('20.19.0', '>=22')).toBe(false);
    expect(satisfies('20.19.0', '^10 || ^12 || ^13.7 || ^14 || >=15.0.1')).toBe(true);
    expect(satisfies('20.19.0', '4.x || >=6.0.0')).toBe(true);
    expect(satisfies('20.19.0', '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true);
    expect(satisfies('23.1.0', '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(false);
    expect(satisfies('20.19.0', '*')).toBe(true);
  });

  it("is stated in package.json, and every locked package's engines allow its lowest versions", () => {
    const range = pkg.engines?.node;
    expect(range, 'package.json "engines": { "node": ... }').toBeTruthy();
    const lowest = lowestVersions(range ?? '');
    const unmet: string[] = [];
    for (const [name, entry] of Object.entries(lock.packages)) {
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (name === '' || !wanted) continue;
      for (const v of lowest) if (!satisfies(v, wanted)) unmet.push(`${name} wants Node ${wanted}, not ${v}`);
    }
    expect(unmet).toEqual([]);
  });
});
