// The embed of the current state for an iframe (a slide, a course page): the page's address with
// `?embed=1` (no header, only the chosen panels; teach/teacherLink.ts) and a hash that holds the
// problem and the schedule on screen (its history is left out: the embed starts at that schedule).
import { sizesText } from '../core/problem.ts';
import { stateToHash } from './url.ts';
import type { LooplabState } from './types.ts';

/** A 16:9 frame that fits a slide. */
export const EMBED_SIZE = { width: 960, height: 540 };

export type EmbedState = Pick<
  LooplabState,
  'problemText' | 'problem' | 'problemKey' | 'problemError' | 'presetId' | 'current' | 'panels'
>;

/** The hash of the problem and the schedule on screen, with the shown panels. */
export function embedHash(s: EmbedState): string {
  const problemText = s.problemError ? s.problemKey : s.problemText;
  return stateToHash({
    problemText,
    problem: s.problem,
    problemKey: s.problemKey,
    problemError: null,
    presetId: s.presetId,
    base: s.current.schedule,
    log: [],
    states: [s.current],
    position: 0,
    panels: s.panels,
  });
}

/** The embed's address: `page` is the page's own address (origin and path; its query and hash are replaced). */
export function embedUrl(s: EmbedState, page: string, options: { present?: boolean } = {}): string {
  const url = new URL(page);
  const query = options.present ? '?embed=1&present=1' : '?embed=1';
  return `${url.origin}${url.pathname}${query}${embedHash(s)}`;
}

function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The <iframe> snippet to paste into a slide or a page. */
export function embedSnippet(s: EmbedState, page: string, options: { present?: boolean } = {}): string {
  const src = embedUrl(s, page, options);
  const title = `looplab: ${s.problem.op} (${sizesText(s.problem)})`;
  return `<iframe src="${attribute(src)}" width="${EMBED_SIZE.width}" height="${EMBED_SIZE.height}" title="${attribute(title)}" style="border: 0" loading="lazy"></iframe>`;
}
