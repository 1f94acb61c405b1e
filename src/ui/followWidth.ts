// Charts draw at their element's own pixel width; this calls back when that width changes.

/** Calls `onWidth` whenever the element's width changes by a pixel or more; returns a stop function. */
export function followWidth(element: Element, initial: number, onWidth: (width: number) => void): () => void {
  if (typeof ResizeObserver === 'undefined') return () => {};
  let width = initial;
  const observer = new ResizeObserver(() => {
    const next = element.clientWidth;
    if (next > 0 && Math.abs(next - width) >= 1) {
      width = next;
      onWidth(next);
    }
  });
  observer.observe(element);
  return () => observer.disconnect();
}
