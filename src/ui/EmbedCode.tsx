// "copy embed code": an <iframe> of the problem, the schedule and the panels on screen, for a slide
// or a course page (store/embed.ts; the embedded page is the playground with ?embed=1).
import { useState } from 'react';
import { useLooplab } from '../store/context.tsx';
import { embedSnippet } from '../store/embed.ts';
import { copyText } from './clipboard.ts';

export function EmbedCode() {
  const notify = useLooplab((s) => s.notify);
  const [present, setPresent] = useState(false);
  const snippet = useLooplab((s) => embedSnippet(s, window.location.href, { present }));
  return (
    <div className="ll-embed-code">
      <div className="ll-embed-code-actions">
        <button
          type="button"
          data-testid="embed-copy"
          onClick={() => copyText(snippet, 'the embed code', notify)}
          title="an <iframe> of this problem, schedule and the shown panels, for a slide or a web page"
        >
          copy embed code
        </button>{' '}
        <label>
          <input
            type="checkbox"
            data-testid="embed-present"
            checked={present}
            onChange={(e) => setPresent(e.target.checked)}
          />{' '}
          in present mode
        </label>
      </div>
      <details>
        <summary>embed code (the shown panels, this schedule)</summary>
        <pre className="ll-exchange-preview" data-testid="embed-snippet">
          {snippet}
        </pre>
      </details>
    </div>
  );
}
