import { describe, expect, it } from 'vitest';
import { convShape } from './convShape.ts';
import { parseProblem } from './problem.ts';
import { xnnpackOp } from './xnnpackOp.ts';

describe('convShape', () => {
  const CONV = 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]';
  it('recognizes CHW / OIHW convolutions with a stride, under any names and input order', () => {
    expect(convShape(parseProblem(CONV, 'co=4, ci=3, oh=5, ow=6, kh=3, kw=3'))).toEqual({
      co: 'co',
      coInner: null,
      filterVars: ['co', 'ci', 'kh', 'kw'],
      ci: 'ci',
      oh: 'oh',
      ow: 'ow',
      kh: 'kh',
      kw: 'kw',
      stride: 1,
      imageInput: 0,
      layout: 'chw',
    });
    expect(
      convShape(parseProblem('Y[f,y,x] += K[f,c,r,s] * X[c,2*y+r,2*x+s]', 'f=4, c=3, y=5, x=6, r=3, s=3')),
    ).toMatchObject({
      co: 'f',
      ci: 'c',
      kh: 'r',
      kw: 's',
      stride: 2,
      imageInput: 1,
    });
    expect(xnnpackOp(parseProblem(CONV, 'co=4, ci=3, oh=5, ow=6, kh=1, kw=1'))).toBe('conv2d');
  });

  it('recognizes HWC / HWIO convolutions, the layout XNNPACK runs', () => {
    expect(
      convShape(
        parseProblem('O[oh,ow,co] += I[oh+kh,ow+kw,ci] * W[kh,kw,ci,co]', 'co=4, ci=3, oh=5, ow=6, kh=3, kw=3'),
      ),
    ).toEqual({
      co: 'co',
      coInner: null,
      filterVars: ['kh', 'kw', 'ci', 'co'],
      ci: 'ci',
      oh: 'oh',
      ow: 'ow',
      kh: 'kh',
      kw: 'kw',
      stride: 1,
      imageInput: 0,
      layout: 'hwc',
    });
    expect(
      convShape(parseProblem('Y[y,x,f] += K[r,s,c,f] * X[2*y+r,2*x+s,c]', 'f=4, c=3, y=5, x=6, r=3, s=3')),
    ).toMatchObject({ co: 'f', ci: 'c', stride: 2, imageInput: 1, layout: 'hwc' });
    // An HWC image with an OIHW filter is neither.
    expect(
      convShape(
        parseProblem('O[oh,ow,co] += I[oh+kh,ow+kw,ci] * W[co,ci,kh,kw]', 'co=2, ci=2, oh=3, ow=3, kh=2, kw=2'),
      ),
    ).toBeNull();
  });

  it('recognizes HWC convolutions with the output channel split in two and the weights blocked', () => {
    const sizes = 'oh=5, ow=6, cb=3, cv=4, ci=3, kh=3, kw=2';
    expect(convShape(parseProblem('O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,ci,cv]', sizes))).toEqual({
      co: 'cb',
      coInner: 'cv',
      filterVars: ['cb', 'kh', 'kw', 'ci', 'cv'],
      ci: 'ci',
      oh: 'oh',
      ow: 'ow',
      kh: 'kh',
      kw: 'kw',
      stride: 1,
      imageInput: 0,
      layout: 'hwc',
    });
    // kh, kw, ci in any order inside the micro-panel, the inputs swapped, a stride.
    expect(
      convShape(parseProblem('Y[y,x,f,g] += K[f,c,r,s,g] * X[2*y+r,2*x+s,c]', 'y=3, x=3, f=2, g=4, c=3, r=3, s=3')),
    ).toMatchObject({ co: 'f', coInner: 'g', filterVars: ['f', 'c', 'r', 's', 'g'], stride: 2, imageInput: 1 });
    expect(xnnpackOp(parseProblem('O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,ci,kh,kw,cv]', sizes))).toBe('conv2d');
  });

  it('refuses near misses of the blocked form', () => {
    const sizes = 'oh=5, ow=6, cb=3, cv=4, ci=3, kh=3, kw=2';
    for (const op of [
      // The split channel's variables swapped in O, or in W.
      'O[oh,ow,cv,cb] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,ci,cv]',
      'O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cv,kh,kw,ci,cb]',
      // The channel pair not innermost in O (not NHWC's memory), or W's micro-panel not innermost.
      'O[cb,cv,oh,ow] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,ci,cv]',
      'O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,cv,ci]',
      // A CHW image.
      'O[oh,ow,cb,cv] += I[ci,oh+kh,ow+kw] * W[cb,kh,kw,ci,cv]',
    ])
      expect(convShape(parseProblem(op, sizes)), op).toBeNull();
    // cv missing in O: it is then a reduction (four of them).
    expect(
      convShape(
        parseProblem(
          'O[oh,ow,cb] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,ci,cv]',
          'oh=5, ow=6, cb=3, cv=4, ci=3, kh=3, kw=2',
        ),
      ),
    ).toBeNull();
  });

  it('rejects what tf.conv2d cannot run as is', () => {
    // Different strides along the two axes.
    expect(
      convShape(
        parseProblem('O[co,oh,ow] += I[ci,2*oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=2, ci=2, oh=3, ow=3, kh=2, kw=2'),
      ),
    ).toBeNull();
    // Filter not in OIHW order.
    expect(
      convShape(
        parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[ci,co,kh,kw]', 'co=2, ci=2, oh=3, ow=3, kh=2, kw=2'),
      ),
    ).toBeNull();
    expect(xnnpackOp(parseProblem('C[i] += A[i] * B[i]', 'i=8'))).toBeNull();
  });
});
