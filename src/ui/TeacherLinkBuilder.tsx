// Builds a teacher's link for the open lesson: which panels and actions to hide, whether to fix
// the problem and the lesson, present mode; the link is shown to copy (the store reads it back).
import { useState } from 'react';
import { useLooplab } from '../store/context.tsx';
import { PANEL_IDS, type PanelId } from '../store/types.ts';
import {
  FIXABLE,
  HIDEABLE_ACTIONS,
  teacherQuery,
  type Fixable,
  type HideableAction,
  type TeacherOptions,
} from '../store/lessons.ts';

function toggle<T>(list: T[], item: T): T[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

export function TeacherLinkBuilder({ lessonId }: { lessonId: string }) {
  const [hide, setHide] = useState<PanelId[]>([]);
  const [hideActions, setHideActions] = useState<HideableAction[]>([]);
  const [fixed, setFixed] = useState<Fixable[]>(['problem']);
  const [present, setPresent] = useState(false);
  const [copied, setCopied] = useState(false);
  const notify = useLooplab((s) => s.notify);
  const options: TeacherOptions = { lesson: lessonId, fixed, hide, hideActions, present, handout: false };
  const link = `${window.location.origin}${window.location.pathname}${teacherQuery(options)}`;
  const copy = () => {
    navigator.clipboard.writeText(link).then(
      () => setCopied(true),
      () => notify('error', 'the link could not be copied; select it and copy it by hand'),
    );
  };
  return (
    <details className="teacher-link" data-testid="teacher-link">
      <summary>link for a class</summary>
      <fieldset>
        <legend>hide panels</legend>
        {PANEL_IDS.filter((id) => id !== 'lesson').map((id) => (
          <label key={id}>
            <input type="checkbox" checked={hide.includes(id)} onChange={() => setHide(toggle(hide, id))} /> {id}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>hide actions</legend>
        {HIDEABLE_ACTIONS.map((a) => (
          <label key={a}>
            <input
              type="checkbox"
              data-testid={`teacher-hide-${a}`}
              checked={hideActions.includes(a)}
              onChange={() => setHideActions(toggle(hideActions, a))}
            />{' '}
            {a}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>fix</legend>
        {FIXABLE.map((f) => (
          <label key={f}>
            <input type="checkbox" checked={fixed.includes(f)} onChange={() => setFixed(toggle(fixed, f))} /> the {f}
          </label>
        ))}
        <label>
          <input type="checkbox" checked={present} onChange={() => setPresent(!present)} /> present mode
        </label>
      </fieldset>
      <div className="teacher-link-out">
        <input
          readOnly
          value={link}
          data-testid="teacher-link-url"
          aria-label="the link"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="lesson-small-btn" onClick={copy}>
          {copied ? 'copied' : 'copy'}
        </button>
      </div>
    </details>
  );
}
