// Whether a problem is a single-image 'valid' 2-D convolution, and in which layout: the page offers
// the XNNPACK baseline for these, and the runtime hands them to tf.conv2d (src/runtime/xnnpackConv.ts).
//
// Recognized, under any variable names, with the inputs in either order and the same stride s
// (1 or more) on both spatial axes: O[co,oh,ow] += I[ci, s*oh+kh, s*ow+kw] * W[co,ci,kh,kw] (CHW
// image, OIHW filter) and O[oh,ow,co] += I[s*oh+kh, s*ow+kw, ci] * W[kh,kw,ci,co] (HWC, HWIO: what
// XNNPACK itself runs).
import type { Problem, TensorAccess } from './types.ts';

export interface ConvShape {
  co: string;
  ci: string;
  oh: string;
  ow: string;
  kh: string;
  kw: string;
  stride: number;
  /** Which problem input is the image I (the other one is the filter W). */
  imageInput: 0 | 1;
  /** `chw`: O[co,oh,ow], I[ci,h,w], W[co,ci,kh,kw]; `hwc`: O[oh,ow,co], I[h,w,ci], W[kh,kw,ci,co]. */
  layout: 'chw' | 'hwc';
}

function plainVars(t: TensorAccess): string[] | null {
  const vars: string[] = [];
  for (const dim of t.indices) {
    if (dim.length !== 1 || dim[0].coef !== 1) return null;
    vars.push(dim[0].variable);
  }
  return new Set(vars).size === vars.length ? vars : null;
}

/** `s*out + k` (terms in either order): the stride and the kernel variable; null otherwise. */
function window(dim: TensorAccess['indices'][number], out: string): { stride: number; kernel: string } | null {
  if (dim.length !== 2) return null;
  const o = dim.find((t) => t.variable === out);
  const k = dim.find((t) => t.variable !== out);
  if (!o || !k || o.coef < 1 || k.coef !== 1) return null;
  return { stride: o.coef, kernel: k.variable };
}

/** Recognizes a single-image 'valid' 2-D convolution in CHW / OIHW or HWC / HWIO layout; null for anything else. */
export function convShape(problem: Problem): ConvShape | null {
  if (problem.reductionVariables.length !== 3) return null;
  const out = plainVars(problem.output);
  if (out?.length !== 3) return null;
  for (const layout of ['chw', 'hwc'] as const) {
    const [co, oh, ow] = layout === 'chw' ? out : [out[2], out[0], out[1]];
    for (const imageInput of [0, 1] as const) {
      const image = problem.inputs[imageInput];
      const filter = plainVars(problem.inputs[1 - imageInput]);
      if (image.indices.length !== 3 || !filter || filter.length !== 4) continue;
      const [ciDim, hDim, wDim] =
        layout === 'chw' ? image.indices : [image.indices[2], image.indices[0], image.indices[1]];
      if (ciDim.length !== 1 || ciDim[0].coef !== 1) continue;
      const ci = ciDim[0].variable;
      const h = window(hDim, oh);
      const w = window(wDim, ow);
      if (!h || !w || h.stride !== w.stride) continue;
      const shape: ConvShape = { co, ci, oh, ow, kh: h.kernel, kw: w.kernel, stride: h.stride, imageInput, layout };
      const filterOrder = layout === 'chw' ? [co, ci, shape.kh, shape.kw] : [shape.kh, shape.kw, ci, co];
      if (filter.join() !== filterOrder.join()) continue;
      const reductions = [...problem.reductionVariables].sort().join();
      if (reductions !== [ci, shape.kh, shape.kw].sort().join()) continue;
      return shape;
    }
  }
  return null;
}
