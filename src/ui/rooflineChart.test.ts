import { describe, expect, it } from 'vitest';
import { parseProblemText } from '../core/problem.ts';
import {
  arithmeticIntensity,
  boxesOverlap,
  cacheRooflineSentences,
  rooflineLabels,
  attainable,
  memoryRoof,
  ridgeIntensity,
  rooflineCaption,
  rooflineDomains,
  type RooflineModel,
} from './rooflineChart.ts';

describe('arithmeticIntensity', () => {
  it('is flops over the minimal bytes of the three f32 tensors', () => {
    // matmul 256^3: 2*256^3 flops over 3 * 256*256 * 4 bytes = 42.67 flop/byte.
    const mm = parseProblemText('C[m,n] += A[m,k] * B[k,n]\nm=256, n=256, k=256');
    expect(arithmeticIntensity(mm)).toBeCloseTo(128 / 3, 10);
    // Rectangular: 2*m*n*k / (4*(m*n + m*k + k*n)).
    const r = parseProblemText('C[m,n] += A[m,k] * B[k,n]\nm=512, n=128, k=1024');
    expect(arithmeticIntensity(r)).toBeCloseTo(
      (2 * 512 * 128 * 1024) / (4 * (512 * 128 + 512 * 1024 + 1024 * 128)),
      10,
    );
    // Elementwise: 2 flops per 12 bytes.
    expect(arithmeticIntensity(parseProblemText('C[i] += A[i] * B[i]\ni=1000'))).toBeCloseTo(1 / 6, 10);
    // Convolution: the input's halo counts once.
    const conv = parseProblemText(
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]\nco=4, ci=2, oh=5, ow=6, kh=3, kw=3',
    );
    const bytes = 4 * (4 * 5 * 6 + 2 * 7 * 8 + 4 * 2 * 3 * 3);
    expect(arithmeticIntensity(conv)).toBeCloseTo((2 * 4 * 2 * 5 * 6 * 3 * 3) / bytes, 10);
  });
});

describe('roofs', () => {
  it('memory roof, ridge and attainable GFLOPS', () => {
    expect(memoryRoof(50e9, 2)).toBe(100);
    expect(ridgeIntensity(40, 50e9)).toBeCloseTo(0.8, 12);
    expect(attainable(40, 50e9, 0.1)).toBeCloseTo(5, 12);
    expect(attainable(40, 50e9, 10)).toBe(40);
    expect(attainable(40, null, 0.1)).toBe(40);
  });
});

describe('rooflineDomains', () => {
  const model = (m: Partial<RooflineModel>): RooflineModel => ({
    intensity: 42.7,
    gflops: null,
    peak: null,
    bandwidth: null,
    xnnpack: null,
    ...m,
  });

  it('covers the kernel and the ridge with room, in whole decades', () => {
    expect(rooflineDomains(model({ gflops: 1.4, peak: 40, bandwidth: 50e9, xnnpack: 25 }))).toEqual({
      x: [0.1, 1000],
      y: [0.1, 100],
    });
    // Without the bandwidth, x only needs the kernel's intensity.
    expect(rooflineDomains(model({ gflops: 12, peak: 40 }))).toEqual({ x: [10, 1000], y: [1, 100] });
    // Nothing measured yet.
    expect(rooflineDomains(model({}))).toEqual({ x: [10, 1000], y: [0.1, 100] });
    // A memory-bound kernel left of the ridge.
    expect(rooflineDomains(model({ intensity: 1 / 6, gflops: 2, peak: 40, bandwidth: 40e9 }))).toEqual({
      x: [0.01, 10],
      y: [1, 100],
    });
  });
});

describe('rooflineCaption', () => {
  it('says what is drawn', () => {
    expect(rooflineCaption({ intensity: 42.67, gflops: 10, peak: 40, bandwidth: 50e9, xnnpack: 25 })).toBe(
      'Log–log roofline. Horizontal line: the measured SIMD multiply-add peak (40.0 GFLOPS). ' +
        'Slanted line: memory bandwidth of a generated streaming kernel (50.0 GB/s) × intensity. ' +
        'Dot: this kernel at its arithmetic intensity, flops ÷ minimal bytes of its three tensors (42.7 flop/byte), 10.0 GFLOPS = 25% of its roof. ' +
        'Diamond: XNNPACK (25.0 GFLOPS).',
    );
    const bare = rooflineCaption({ intensity: 0.5, gflops: null, peak: null, bandwidth: null, xnnpack: null });
    expect(bare).toContain('The peak is not measured yet (no compute roof).');
    expect(bare).toContain('No memory line: the bandwidth is not measured.');
    expect(bare).toContain('(0.50 flop/byte), not measured yet.');
  });
});

describe('rooflineLabels', () => {
  const W = 324;
  const H = 174;
  const base: RooflineModel = { intensity: 42.7, gflops: 22.1, peak: 46, bandwidth: 20e9, xnnpack: 22.1 };

  /** Every pair of label boxes apart, every box inside the plot. */
  function expectApartAndInside(model: RooflineModel) {
    const boxes = rooflineLabels(model, W, H);
    for (const b of boxes) {
      expect(b.left, `${b.id} left`).toBeGreaterThanOrEqual(0);
      expect(b.top, `${b.id} top`).toBeGreaterThanOrEqual(0);
      expect(b.left + b.width, `${b.id} right`).toBeLessThanOrEqual(W);
      expect(b.top + b.height, `${b.id} bottom`).toBeLessThanOrEqual(H);
    }
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        expect(boxesOverlap(boxes[i], boxes[j]), `${boxes[i].id} and ${boxes[j].id} overlap`).toBe(false);
    return boxes;
  }

  it('"this kernel" and "XNNPACK" at the same GFLOPS do not overlap', () => {
    const boxes = expectApartAndInside(base);
    expect(boxes.map((b) => b.id)).toEqual(['peak', 'kernel', 'xnnpack']);
    const [, kernel, xnnpack] = boxes;
    // Still beside their points: the same side, one above the other.
    expect(kernel.left).toBe(xnnpack.left);
    expect(Math.abs(kernel.top - xnnpack.top)).toBeGreaterThanOrEqual(kernel.height);
  });

  it('a kernel at the peak near the right edge keeps clear of the peak label', () => {
    const boxes = expectApartAndInside({ ...base, intensity: 2000, gflops: 45, xnnpack: 44 });
    expect(boxes).toHaveLength(3);
  });

  it('never overlap across GFLOPS pairs and intensities', () => {
    for (const intensity of [0.05, 1, 42.7, 500, 5000])
      for (const gflops of [0.5, 3, 20, 22, 40, 46])
        for (const ratio of [0.5, 0.9, 0.97, 1, 1.03, 1.1, 2])
          expectApartAndInside({ ...base, intensity, gflops, xnnpack: gflops * ratio });
  });

  it('a figure that is not finite (a timer too coarse) is left out, never a NaN coordinate', () => {
    const model = { ...base, peak: Number.POSITIVE_INFINITY, bandwidth: Number.POSITIVE_INFINITY, gflops: Number.NaN };
    const d = rooflineDomains(model);
    expect([...d.x, ...d.y].every(Number.isFinite)).toBe(true);
    const boxes = rooflineLabels(model, W, H);
    expect(boxes.map((b) => b.id)).toEqual(['xnnpack']);
    expect(boxes.every((b) => Number.isFinite(b.left) && Number.isFinite(b.top))).toBe(true);
  });

  it('labels only what is drawn', () => {
    expect(rooflineLabels({ ...base, xnnpack: null }, W, H).map((b) => b.id)).toEqual(['peak', 'kernel']);
    expect(rooflineLabels({ ...base, peak: null, gflops: null }, W, H).map((b) => b.id)).toEqual(['xnnpack']);
  });
});

describe('the cache-aware roofline', () => {
  const level = (label: string, intensity: number, bandwidth: number | null, from = 'L2') => ({
    label,
    level: label.split(' ')[0],
    from,
    bytes: 1024 ** 3,
    intensity,
    bandwidth,
    source: `source of ${label}`,
  });
  const base: RooflineModel = { intensity: 40, gflops: 30, peak: 60, bandwidth: 20e9, xnnpack: null };

  it('spans the levels’ intensities and their ridges', () => {
    const d = rooflineDomains({
      ...base,
      levels: [level('L1d ← L2', 0.05, 144e9), level('L2 ← memory', 2000, 20e9, 'memory')],
    });
    expect(d.x[0]).toBeLessThanOrEqual(0.05 / 3);
    expect(d.x[1]).toBeGreaterThanOrEqual(2000 * 3);
    // An infinite intensity (nothing moved) is left out of the axes.
    expect(rooflineDomains({ ...base, levels: [level('L1d ← L2', Number.POSITIVE_INFINITY, 144e9)] })).toEqual(
      rooflineDomains(base),
    );
  });

  it('says in words each level’s intensity and roof, and which roof limits the kernel', () => {
    expect(cacheRooflineSentences(base)).toEqual([]);
    const sentences = cacheRooflineSentences({
      ...base,
      machineName: 'AMD Zen 4 core',
      levels: [level('L1d ← L2', 8, 144e9), level('L2 ← memory', 2, 20e9, 'memory')],
    });
    expect(sentences[0]).toContain('simulated caches of AMD Zen 4 core');
    expect(sentences[1]).toBe(
      'L1d ← L2: 8.0 flop/byte (1.00 GiB moved); roof 144 GB/s × 8.0 = 1152 GFLOPS, above the peak: not what limits it (source of L1d ← L2).',
    );
    expect(sentences[2]).toBe(
      'L2 ← memory: 2.0 flop/byte (1.00 GiB moved); roof 20.0 GB/s × 2.0 = 40.0 GFLOPS (source of L2 ← memory).',
    );
    expect(sentences[3]).toBe("The lowest roof is L2 ← memory's (40.0 GFLOPS): that traffic limits this kernel first.");
    const compute = cacheRooflineSentences({ ...base, levels: [level('L1d ← L2', 8, 144e9)] });
    expect(compute.at(-1)).toBe(
      'Every level moves few enough bytes: the compute peak is the roof that limits this kernel.',
    );
    const unknown = cacheRooflineSentences({ ...base, levels: [level('L2 ← memory', 2, null, 'memory')] });
    expect(unknown[1]).toBe('L2 ← memory: 2.0 flop/byte (1.00 GiB moved); no roof: source of L2 ← memory.');
  });
});

describe('rooflineLabels with cache levels', () => {
  it("keeps the kernel's label off the levels' squares", () => {
    const model: RooflineModel = {
      intensity: 21,
      gflops: 27,
      peak: 41,
      bandwidth: 17.7e9,
      xnnpack: null,
      levels: [6.5, 21].map((intensity, i) => ({
        label: `L${i + 1}`,
        level: `L${i + 1}`,
        from: i === 0 ? 'L2' : 'memory',
        bytes: 1,
        intensity,
        bandwidth: null,
        source: '',
      })),
    };
    const width = 330;
    const height = 174;
    const kernel = rooflineLabels(model, width, height).find((b) => b.id === 'kernel')!;
    const d = rooflineDomains(model);
    const x = (v: number) => (width * Math.log(v / d.x[0])) / Math.log(d.x[1] / d.x[0]);
    const y = (v: number) => height - (height * Math.log(v / d.y[0])) / Math.log(d.y[1] / d.y[0]);
    for (const l of model.levels ?? []) {
      const square = { left: x(l.intensity) - 6, top: y(27) - 6, width: 12, height: 12 + 16 };
      expect(boxesOverlap(kernel, square), l.label).toBe(false);
    }
  });
});
