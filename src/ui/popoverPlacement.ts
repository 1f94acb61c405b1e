// Where a popover anchored to a row goes so that all of it stays in the viewport: below the row,
// or above it when there is no room below, shifted left when it would run off the right edge.

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Gap between the row and the popover, and between the popover and the viewport's edges, in px. */
const GAP = 2;
const MARGIN = 8;

export function placeBelowOrAbove(
  anchor: Box,
  indent: number,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
): { left: number; top: number } {
  const maxLeft = viewport.width - size.width - MARGIN;
  const left = Math.max(MARGIN, Math.min(anchor.left + indent, maxLeft));
  const below = anchor.top + anchor.height + GAP;
  const above = anchor.top - size.height - GAP;
  const fitsBelow = below + size.height <= viewport.height - MARGIN;
  const top = fitsBelow || above < MARGIN ? below : above;
  return { left, top: Math.max(MARGIN, Math.min(top, viewport.height - size.height - MARGIN)) };
}
