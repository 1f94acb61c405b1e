import type { ReactNode } from 'react';

/** A titled box on the page; one job per panel. */
export function Panel({ title, testId, children }: { title: string; testId?: string; children: ReactNode }) {
  return (
    <section className="panel" data-testid={testId} aria-label={title}>
      <h2 className="panel-title">{title}</h2>
      <div className="panel-body">{children}</div>
    </section>
  );
}
