// The notices: errors stay until dismissed or until the problem or schedule they were about
// changes (store/uiSlice.ts; role="alert"), information fades after a while. One
// stack in the page's flow under the header, so that it never covers a panel: the newest few are
// shown, older ones behind "n older", and all can be dismissed at once.
import { useEffect, useState } from 'react';
import { useLooplab } from '../store/context.tsx';

/** How long an information notice stays, in ms. */
const INFO_MS = 8000;

/** Notices shown before "n older". */
export const SHOWN_NOTICES = 3;

export function Notices() {
  const notices = useLooplab((s) => s.notices);
  const dismiss = useLooplab((s) => s.dismissNotice);
  const [showAll, setShowAll] = useState(false);

  useEffect(() => {
    const timers = notices.filter((n) => n.kind === 'info').map((n) => setTimeout(() => dismiss(n.id), INFO_MS));
    return () => timers.forEach(clearTimeout);
  }, [notices, dismiss]);
  useEffect(() => {
    if (notices.length <= SHOWN_NOTICES) setShowAll(false);
  }, [notices.length]);

  if (notices.length === 0) return null;
  const newestFirst = [...notices].reverse();
  const shown = showAll ? newestFirst : newestFirst.slice(0, SHOWN_NOTICES);
  const older = notices.length - shown.length;
  return (
    <section className="ll-notices" data-testid="notices" aria-label="notices" aria-live="polite">
      {shown.map((n) => (
        <div
          key={n.id}
          className={`ll-notice ll-notice-${n.kind}`}
          role={n.kind === 'error' ? 'alert' : 'status'}
          data-testid="notice"
          data-kind={n.kind}
        >
          <span className="ll-notice-text">{n.text}</span>
          <button
            type="button"
            className="ll-notice-dismiss"
            aria-label="dismiss"
            data-testid="notice-dismiss"
            onClick={() => dismiss(n.id)}
          >
            ×
          </button>
        </div>
      ))}
      {notices.length > 1 && (
        <p className="ll-notices-more">
          {older > 0 && (
            <button type="button" data-testid="notices-older" onClick={() => setShowAll(true)}>
              {older} older
            </button>
          )}
          <button
            type="button"
            data-testid="notices-dismiss-all"
            onClick={() => {
              for (const n of notices) dismiss(n.id);
            }}
          >
            dismiss all {notices.length}
          </button>
        </p>
      )}
    </section>
  );
}
