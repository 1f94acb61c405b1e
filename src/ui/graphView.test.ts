import { describe, expect, it } from 'vitest';
import { loopLabelLength } from './graphView.ts';

describe('loop labels in the graph', () => {
  it('a short label keeps its natural width', () => {
    expect(loopLabelLength('m:2048')).toBeNull();
    expect(loopLabelLength('k:64')).toBeNull();
  });

  it('a label with a pack is squeezed into its node instead of overflowing it', () => {
    const node = 118;
    for (const text of ['n:2048 pack(A)', 'oh:7 pack(I)', 'k:4 pack(A) pack(B)']) {
      const length = loopLabelLength(text);
      expect(length, text).not.toBeNull();
      expect(length, text).toBeLessThan(node);
    }
  });
});
