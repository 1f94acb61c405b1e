import { describe, expect, it } from 'vitest';
import { errorMessage } from './errors.ts';

describe('errorMessage', () => {
  it('reads Errors, strings, and errors cloned from a worker', () => {
    expect(errorMessage(new RangeError('too big'))).toBe('too big');
    expect(errorMessage(new TypeError())).toBe('TypeError');
    expect(errorMessage('plain words')).toBe('plain words');
    expect(errorMessage(structuredClone({ name: 'DslError', message: 'line 1: no op' }))).toBe('line 1: no op');
  });

  it('falls back to JSON, then to String', () => {
    expect(errorMessage({ code: 7 })).toBe('{"code":7}');
    expect(errorMessage(undefined)).toBe('undefined');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(errorMessage(loop)).toBe('[object Object]');
  });
});
