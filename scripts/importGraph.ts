// The import graph of folders of TypeScript and JavaScript, read with swc (TypeScript 7 has no JS
// API): every static import and re-export, `import()` and `require()` of a string, whether it is
// type-only, and the file or package it resolves to (paths relative to the root, packages as
// `node_modules/<name>`). Used by scripts/lint-deps.ts.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { parseSync } from '@swc/core';

export interface Dependency {
  from: string;
  /** The resolved file or `node_modules/<package>`; the specifier itself when it does not resolve. */
  to: string;
  typeOnly: boolean;
  resolved: boolean;
}

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs'];

/** Source files under `dirs` (relative to `root`), sorted, forward slashes. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(root, dir))) {
      const rel = `${dir}/${name}`;
      if (name === 'node_modules') continue;
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const dir of dirs) walk(dir);
  return out.sort();
}

/** The specifiers a file imports: [specifier, typeOnly]. */
export function importsOf(source: string, tsx: boolean): [string, boolean][] {
  const ast = parseSync(source, { syntax: 'typescript', tsx, target: 'es2022', dynamicImport: true });
  const found: [string, boolean][] = [];
  for (const item of ast.body) {
    if (item.type === 'ImportDeclaration') {
      const specifiers = item.specifiers;
      const allTypes = specifiers.length > 0 && specifiers.every((s) => s.type === 'ImportSpecifier' && s.isTypeOnly);
      found.push([item.source.value, item.typeOnly || allTypes]);
    } else if (item.type === 'ExportNamedDeclaration' && item.source) {
      found.push([item.source.value, item.typeOnly]);
    } else if (item.type === 'ExportAllDeclaration') {
      found.push([item.source.value, false]);
    }
  }
  // import('x') and require('x') anywhere in the file.
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const n = node as {
      type?: string;
      callee?: { type?: string; value?: string };
      arguments?: { expression?: { type?: string; value?: string } }[];
    };
    if (n.type === 'CallExpression' && n.callee) {
      const arg = n.arguments?.[0]?.expression;
      const isImport = n.callee.type === 'Import';
      const isRequire = n.callee.type === 'Identifier' && n.callee.value === 'require';
      if ((isImport || isRequire) && arg?.type === 'StringLiteral' && typeof arg.value === 'string')
        found.push([arg.value, false]);
    }
    for (const value of Object.values(n)) if (value && typeof value === 'object') visit(value);
  };
  visit(ast.body);
  return found;
}

const BUILTINS = new Set(builtinModules);

/** Where `specifier`, imported by `from` (relative to `root`), leads. */
export function resolve(root: string, from: string, specifier: string): { to: string; resolved: boolean } {
  const bare = specifier.split('?')[0];
  if (bare.startsWith('node:') || BUILTINS.has(bare)) return { to: bare, resolved: true };
  if (!bare.startsWith('.') && !bare.startsWith('/')) {
    const parts = bare.split('/');
    const name = bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    const dir = `node_modules/${name}`;
    return { to: dir, resolved: existsSync(path.join(root, dir)) };
  }
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), bare));
  const candidates = [target, ...EXTENSIONS.map((e) => target + e), ...EXTENSIONS.map((e) => `${target}/index${e}`)];
  for (const c of candidates) {
    const full = path.join(root, c);
    if (existsSync(full) && statSync(full).isFile()) return { to: c, resolved: true };
  }
  return { to: specifier, resolved: false };
}

/** Every dependency of the source files under `dirs`. */
export function importGraph(root: string, dirs: readonly string[]): { files: string[]; dependencies: Dependency[] } {
  const files = sourceFiles(root, dirs);
  const dependencies: Dependency[] = [];
  for (const from of files) {
    const source = readFileSync(path.join(root, from), 'utf8');
    let imports: [string, boolean][];
    try {
      imports = importsOf(source, from.endsWith('.tsx') || from.endsWith('.jsx'));
    } catch (e) {
      throw new Error(`${from} does not parse: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    for (const [specifier, typeOnly] of imports)
      dependencies.push({ from, ...resolve(root, from, specifier), typeOnly });
  }
  return { files, dependencies };
}
