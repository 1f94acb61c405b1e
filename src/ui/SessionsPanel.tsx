// Named sessions: save the whole state under a name; list, open, rename and delete saved ones.
import { useState, type FormEvent } from 'react';
import { useLooplab } from '../store/context.tsx';
import type { SessionMeta } from '../store/types.ts';
import { Panel } from './Panel.tsx';

function when(savedAt: number): string {
  if (!savedAt) return 'unknown date';
  return new Date(savedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function SessionRow({ meta }: { meta: SessionMeta }) {
  const openSession = useLooplab((s) => s.openSession);
  const renameSession = useLooplab((s) => s.renameSession);
  const deleteSession = useLooplab((s) => s.deleteSession);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const submitRename = (event: FormEvent) => {
    event.preventDefault();
    if (renaming !== null) void renameSession(meta.id, renaming).then(() => setRenaming(null));
  };

  return (
    <li
      className={`ll-session${meta.damaged ? ' ll-session-damaged' : ''}`}
      data-testid="session-item"
      data-session-id={meta.id}
    >
      {renaming === null ? (
        <div className="ll-session-head">
          <span className="ll-session-name" data-testid="session-name-label">
            {meta.name}
          </span>
          <span className="ll-session-date">{when(meta.savedAt)}</span>
        </div>
      ) : (
        <form className="ll-session-rename" onSubmit={submitRename}>
          <input
            aria-label={`new name for ${meta.name}`}
            data-testid="session-rename-input"
            value={renaming}
            autoFocus
            onChange={(e) => setRenaming(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setRenaming(null);
            }}
          />
          <button type="submit" data-testid="session-rename-save">
            Rename
          </button>
          <button type="button" onClick={() => setRenaming(null)}>
            Cancel
          </button>
        </form>
      )}
      {meta.damaged ? (
        <p className="ll-session-damaged-note" data-testid="session-damaged">
          damaged: {meta.damaged}
        </p>
      ) : (
        <code className="ll-session-schedule">{meta.schedule}</code>
      )}
      <div className="ll-session-actions">
        <button type="button" data-testid="session-open" onClick={() => void openSession(meta.id)}>
          Open
        </button>
        <button
          type="button"
          data-testid="session-rename"
          disabled={!!meta.damaged}
          title={meta.damaged ? 'a damaged session is left as it is' : undefined}
          onClick={() => setRenaming(meta.name)}
        >
          Rename
        </button>
        {confirmDelete ? (
          <>
            <button
              type="button"
              className="ll-danger"
              data-testid="session-delete-confirm"
              onClick={() => void deleteSession(meta.id)}
            >
              Delete '{meta.name}'
            </button>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" data-testid="session-delete" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </div>
    </li>
  );
}

export function SessionsPanel() {
  const sessions = useLooplab((s) => s.sessions);
  const saveSession = useLooplab((s) => s.saveSession);
  const [name, setName] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '') return;
    void saveSession(trimmed).then(() => setName(''));
  };

  return (
    <Panel title="Sessions" testId="sessions-panel">
      <form className="ll-session-save" onSubmit={submit}>
        <input
          aria-label="session name"
          placeholder="name this session"
          data-testid="session-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" data-testid="session-save" disabled={name.trim() === ''}>
          Save
        </button>
      </form>
      {sessions.length === 0 ? (
        <p className="ll-muted" data-testid="sessions-empty">
          No saved sessions yet. Saved sessions stay in this browser.
        </p>
      ) : (
        <ul className="ll-sessions" data-testid="sessions-list">
          {sessions.map((meta) => (
            <SessionRow key={meta.id} meta={meta} />
          ))}
        </ul>
      )}
    </Panel>
  );
}
