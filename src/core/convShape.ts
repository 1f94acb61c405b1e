// Whether a problem is a single-image 'valid' 2-D convolution, and in which layout: the page offers
// the XNNPACK baseline for these, and the runtime hands them to tf.conv2d (src/runtime/xnnpackConv.ts).
//
// Recognized, under any variable names, with the inputs in either order and the same stride s
// (1 or more) on both spatial axes: O[co,oh,ow] += I[ci, s*oh+kh, s*ow+kw] * W[co,ci,kh,kw] (CHW
// image, OIHW filter) and O[oh,ow,co] += I[s*oh+kh, s*ow+kw, ci] * W[kh,kw,ci,co] (HWC, HWIO: what
// XNNPACK itself runs).
//
// Also the HWC form with the output channel split in two, co = cb x cv, cb outer: O[oh,ow,cb,cv] (the
// same memory as O[oh,ow,co]) and the weights blocked in micro-panels of cv output channels,
// W[cb, .., cv] with kh, kw, ci in any order between (XNNPACK's own packed filter is
// W[cb,kh,kw,ci,cv]). The baselines hand these over as the standard HWC layer.
import type { Problem, TensorAccess } from './types.ts';

export interface ConvShape {
  /** The output channel; the outer variable (cb) when it is split in two. */
  co: string;
  /** The inner variable (cv) of a split output channel (channel = co * size(coInner) + coInner); null when not split. */
  coInner: string | null;
  /** W's variables, outermost first. */
  filterVars: string[];
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

/** The image's ci, strides and kernel variables for output pixel variables oh, ow; null if it is not a window. */
function imageWindow(
  image: TensorAccess,
  layout: 'chw' | 'hwc',
  oh: string,
  ow: string,
): { ci: string; kh: string; kw: string; stride: number } | null {
  if (image.indices.length !== 3) return null;
  const [ciDim, hDim, wDim] = layout === 'chw' ? image.indices : [image.indices[2], image.indices[0], image.indices[1]];
  if (ciDim.length !== 1 || ciDim[0].coef !== 1) return null;
  const h = window(hDim, oh);
  const w = window(wDim, ow);
  if (!h || !w || h.stride !== w.stride) return null;
  return { ci: ciDim[0].variable, kh: h.kernel, kw: w.kernel, stride: h.stride };
}

function sameReductions(problem: Problem, vars: string[]): boolean {
  return [...problem.reductionVariables].sort().join() === [...vars].sort().join();
}

/** O[oh,ow,cb,cv] += I[s*oh+kh, s*ow+kw, ci] * W[cb, (kh,kw,ci in any order), cv]; null for anything else. */
function blockedConvShape(problem: Problem, out: string[]): ConvShape | null {
  const [oh, ow, co, coInner] = out;
  for (const imageInput of [0, 1] as const) {
    const win = imageWindow(problem.inputs[imageInput], 'hwc', oh, ow);
    const filter = plainVars(problem.inputs[1 - imageInput]);
    if (!win || filter?.length !== 5) continue;
    const { ci, kh, kw, stride } = win;
    if (filter[0] !== co || filter[4] !== coInner) continue;
    if (filter.slice(1, 4).sort().join() !== [ci, kh, kw].sort().join()) continue;
    if (!sameReductions(problem, [ci, kh, kw])) continue;
    return { co, coInner, filterVars: filter, ci, oh, ow, kh, kw, stride, imageInput, layout: 'hwc' };
  }
  return null;
}

/**
 * Recognizes a single-image 'valid' 2-D convolution in CHW / OIHW or HWC / HWIO layout, or HWC with
 * blocked weights (above); null for anything else.
 */
export function convShape(problem: Problem): ConvShape | null {
  if (problem.reductionVariables.length !== 3) return null;
  const out = plainVars(problem.output);
  if (out?.length === 4) return blockedConvShape(problem, out);
  if (out?.length !== 3) return null;
  for (const layout of ['chw', 'hwc'] as const) {
    const [co, oh, ow] = layout === 'chw' ? out : [out[2], out[0], out[1]];
    for (const imageInput of [0, 1] as const) {
      const win = imageWindow(problem.inputs[imageInput], layout, oh, ow);
      const filter = plainVars(problem.inputs[1 - imageInput]);
      if (!win || filter?.length !== 4) continue;
      const { ci, kh, kw, stride } = win;
      const filterOrder = layout === 'chw' ? [co, ci, kh, kw] : [kh, kw, ci, co];
      if (filter.join() !== filterOrder.join() || !sameReductions(problem, [ci, kh, kw])) continue;
      return { co, coInner: null, filterVars: filter, ci, oh, ow, kh, kw, stride, imageInput, layout };
    }
  }
  return null;
}
