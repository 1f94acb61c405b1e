// The one line an embed shows instead of the header: where it comes from (a link that opens the same
// state in its own tab) and, when the frame keeps it from being cross-origin isolated, that kernels
// run on one thread and why.
import { useLooplab } from '../store/context.tsx';
import { threadsOff } from '../store/measurement.ts';

/** This page's address without `embed`: the same problem, schedule and panels in a tab of their own. */
function ownTabUrl(): string {
  const url = new URL(window.location.href);
  url.searchParams.delete('embed');
  return url.href;
}

export function EmbedBar() {
  const support = useLooplab((s) => s.threadSupport);
  // Read on every render so that the link follows the hash (the schedule the person reached).
  useLooplab((s) => s.current);
  const off = threadsOff({ threadSupport: support });
  return (
    <div className="embed-bar" data-testid="embed-bar">
      <a
        href={ownTabUrl()}
        target="_blank"
        rel="noopener"
        data-testid="embed-open"
        title="open this problem and schedule in looplab, in a tab of its own (with threads)"
        // The hash is written a moment after each step: read the address at the click.
        onClick={(e) => {
          e.currentTarget.href = ownTabUrl();
        }}
      >
        looplab ↗
      </a>
      {off ? (
        <span className="embed-threads" data-testid="embed-threads-off" title={off}>
          <span className="badge badge-warn">one thread</span> {off}
        </span>
      ) : null}
    </div>
  );
}
