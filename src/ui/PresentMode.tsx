// Present mode (large type, high contrast) on the whole document, and its header toggle.
import { useEffect } from 'react';
import { useLooplab } from '../store/context.tsx';

/** Puts `present`, `embed` (and `handout-open` for the print stylesheet) on <html> while they are on. */
export function usePageModes() {
  const present = useLooplab((s) => s.present);
  const handout = useLooplab((s) => s.handoutOpen);
  const embed = useLooplab((s) => s.teacher.embed === true);
  useEffect(() => {
    document.documentElement.classList.toggle('present', present);
    document.documentElement.classList.toggle('handout-open', handout);
    document.documentElement.classList.toggle('embed', embed);
  }, [present, handout, embed]);
}

export function PresentToggle() {
  const present = useLooplab((s) => s.present);
  const setPresent = useLooplab((s) => s.setPresent);
  return (
    <button
      type="button"
      className="panel-toggle present-toggle"
      aria-pressed={present}
      data-testid="present-toggle"
      onClick={() => setPresent(!present)}
      title={present ? 'leave present mode' : 'present: large type and high contrast, for a projector'}
    >
      present
    </button>
  );
}
