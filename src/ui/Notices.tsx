// The notices: errors stay until dismissed (role="alert"), information fades after a while.
import { useEffect } from 'react';
import { useLooplab } from '../store/context.tsx';

/** How long an information notice stays, in ms. */
const INFO_MS = 8000;

export function Notices() {
  const notices = useLooplab((s) => s.notices);
  const dismiss = useLooplab((s) => s.dismissNotice);

  useEffect(() => {
    const timers = notices.filter((n) => n.kind === 'info').map((n) => setTimeout(() => dismiss(n.id), INFO_MS));
    return () => timers.forEach(clearTimeout);
  }, [notices, dismiss]);

  if (notices.length === 0) return null;
  return (
    <div className="ll-notices" data-testid="notices" aria-live="polite">
      {notices.map((n) => (
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
    </div>
  );
}
