// The layers of src/ and the one direction their imports may point (README, "Repository layout"):
//   ui -> store -> workers -> agent, runtime, teach -> codegen -> core
// Every import counts, type-only ones too: a layer that names another's types depends on it.
// `npm run lint:deps` (scripts/lint-deps.ts) checks src/ and scripts/; `npm test` runs it. The rules are
// in dependency-cruiser's format; scripts/depRules.ts reads the part of it used here.
const layer = (name, mayNotImport, comment) => ({
  name: `${name}-imports-only-below`,
  comment,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${mayNotImport.join('|')})/` },
});

module.exports = {
  forbidden: [
    layer(
      'core',
      ['codegen', 'runtime', 'agent', 'teach', 'workers', 'store', 'ui'],
      'core is pure TypeScript and imports nothing of the other layers',
    ),
    layer('codegen', ['runtime', 'agent', 'teach', 'workers', 'store', 'ui'], 'codegen imports core only'),
    layer('runtime', ['agent', 'teach', 'workers', 'store', 'ui'], 'runtime imports codegen and core'),
    layer('agent', ['teach', 'workers', 'store', 'ui'], 'agent imports runtime, codegen and core'),
    layer('teach', ['agent', 'workers', 'store', 'ui'], 'teach imports core (and codegen types)'),
    {
      name: 'teach-runs-the-runtime-only-in-tests',
      comment:
        'lessons read figures the workers computed; their tests may run the real simulator (src/runtime/cacheSim.ts), as they run the generator',
      severity: 'error',
      from: { path: '^src/teach/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/runtime/' },
    },
    layer('workers', ['store', 'ui'], 'workers import agent, runtime, teach, codegen and core'),
    layer('store', ['ui'], 'the store never imports the ui'),
    layer('ui', ['codegen', 'runtime', 'agent', 'teach', 'workers'], 'the ui imports the store and core only'),
    {
      name: 'scripts-run-without-the-page',
      comment: 'the command-line entry points run in Node: no store, no ui',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: '^src/(store|ui)/' },
    },
    {
      name: 'teach-imports-codegen-types-only',
      comment:
        "lessons read the generator's report; running the generator is the workers' job (tests, which never ship, may run it)",
      severity: 'error',
      from: { path: '^src/teach/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/codegen/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'store-imports-codegen-types-only',
      comment:
        'the page never loads the generator: kernels are generated in the kernel worker (the export writers, pure text from a report loaded on demand, are not the generator)',
      severity: 'error',
      from: { path: '^src/store/' },
      to: {
        path: '^src/codegen/',
        pathNot: '^src/codegen/(halideExport|simdCExport|exportHeader|planGeometry)\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'store-imports-worker-protocols-and-clients-only',
      comment: "a worker's entry and api run in the worker; the page talks to it through its client",
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/workers/[^/]+/(api|worker)\\.ts$' },
    },
    {
      name: 'protocols-stay-light',
      comment:
        "a worker's protocol (types and constants) is imported by the page and the worker alike: type imports only from the heavy layers",
      severity: 'error',
      from: { path: '^src/workers/[^/]+/protocol\\.ts$' },
      to: { path: '^(src/(codegen|runtime|agent)/|node_modules/@tensorflow/)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-import-circles',
      comment:
        'modules that import each other (even types only) cannot be read, tested or moved alone: give the shared part its own module',
      severity: 'error',
      from: { path: '^(src|scripts)/' },
      to: { circular: true },
    },
  ],
};
