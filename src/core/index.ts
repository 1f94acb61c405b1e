// Public surface of the core: pure TypeScript, no DOM, no wasm.
export type * from './types.ts';
export * from './problem.ts';
export * from './schedule.ts';
export * from './actions.ts';
export * from './reference.ts';
export * from './random.ts';
export { indexText, tensorText } from './dsl.ts';
export type { DslPlace } from './dsl.ts';
