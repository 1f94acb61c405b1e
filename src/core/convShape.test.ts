import { describe, expect, it } from 'vitest';
import { convShape } from './convShape.ts';
import { parseProblem } from './problem.ts';
import { xnnpackOp } from './xnnpackOp.ts';

describe('convShape', () => {
  const CONV = 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]';
  it('recognizes CHW / OIHW convolutions with a stride, under any names and input order', () => {
    expect(convShape(parseProblem(CONV, 'co=4, ci=3, oh=5, ow=6, kh=3, kw=3'))).toEqual({
      co: 'co',
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
    ).toEqual({ co: 'co', ci: 'ci', oh: 'oh', ow: 'ow', kh: 'kh', kw: 'kw', stride: 1, imageInput: 0, layout: 'hwc' });
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
