// Export the current schedule (schedule text, JSON, C, Halide, C with wasm SIMD intrinsics) by download or copy; import what export
// writes (JSON or schedule text) from a file or pasted text. A bad import says why, in place, and
// changes nothing.
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { useLooplab, useLooplabStore } from '../store/context.tsx';
import {
  exportC,
  exportFileName,
  exportJson,
  exportScheduleText,
  importExport,
  type ImportNoun,
} from '../store/exchange.ts';
import type { LooplabState } from '../store/types.ts';
import { Panel } from './Panel.tsx';
import { copyText } from './clipboard.ts';
import { EmbedCode } from './EmbedCode.tsx';
import { errorMessage } from '../core/errors.ts';

type Render = (s: LooplabState) => string;

interface Format {
  id: string;
  label: string;
  extension: string;
  mime: string;
  /** The writer, or a loader of it (writers the first load does not carry). */
  render: Render | { load: () => Promise<Render> };
}

const compiled = () => import('../store/compiledExports.ts');

const FORMATS: Format[] = [
  { id: 'text', label: 'schedule text', extension: 'txt', mime: 'text/plain', render: exportScheduleText },
  { id: 'json', label: 'JSON', extension: 'json', mime: 'application/json', render: exportJson },
  { id: 'c', label: 'C', extension: 'c', mime: 'text/x-c', render: exportC },
  {
    id: 'halide',
    label: 'Halide (C++)',
    extension: 'halide.cpp',
    mime: 'text/x-c++src',
    render: { load: () => compiled().then((m) => m.exportHalide) },
  },
  {
    id: 'simd-c',
    label: 'C with wasm SIMD intrinsics',
    extension: 'simd.c',
    mime: 'text/x-c',
    render: { load: () => compiled().then((m) => m.exportSimdC) },
  },
];

function download(name: string, mime: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ExchangeMenu() {
  const store = useLooplabStore();
  const notify = useLooplab((s) => s.notify);
  // Re-render on the fields exports depend on.
  useLooplab((s) => s.current);
  useLooplab((s) => s.measurements);
  const [formatId, setFormatId] = useState('text');
  const [pasted, setPasted] = useState('');
  const [importError, setImportError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const format = FORMATS.find((f) => f.id === formatId) ?? FORMATS[0];
  const [loaded, setLoaded] = useState<Record<string, Render | Error>>({});
  const writer = typeof format.render === 'function' ? format.render : loaded[format.id];
  useEffect(() => {
    const { render, id } = format;
    if (typeof render === 'function' || loaded[id]) return;
    render.load().then(
      (fn) => setLoaded((l) => ({ ...l, [id]: fn })),
      (error: unknown) => setLoaded((l) => ({ ...l, [id]: new Error(errorMessage(error)) })),
    );
  }, [format, loaded]);
  let preview: string;
  let failed = false;
  try {
    if (writer === undefined) {
      preview = `(loading the ${format.label} writer…)`;
      failed = true;
    } else if (writer instanceof Error) {
      preview = `(the ${format.label} writer could not be loaded: ${writer.message}; reload the page)`;
      failed = true;
    } else preview = writer(store.getState());
  } catch (error) {
    preview = `(no ${format.label} export: ${errorMessage(error)})`;
    failed = true;
  }

  const copy = () => copyText(preview, `the ${format.label}`, notify);

  const apply = (text: string, source: string, noun: ImportNoun) => {
    const r = importExport(text, noun, store.getState().problemKey);
    if (!r.ok) {
      // Said in place, beside the import (not as one more notice over the page).
      setImportError(r.error);
      return;
    }
    setImportError(null);
    setPasted('');
    store.getState().restore(r.value);
    notify('info', `imported ${source}`);
    if (r.value.notice) notify('error', r.value.notice);
  };

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    file.text().then(
      (text) => apply(text, `'${file.name}'`, 'the file'),
      (error: unknown) => {
        const message = `'${file.name}' could not be read: ${errorMessage(error)}`;
        setImportError(message);
        notify('error', message);
      },
    );
  };

  return (
    <Panel title="Export / import" testId="exchange-panel">
      <div className="ll-exchange-export">
        <label>
          export as{' '}
          <select data-testid="export-format" value={format.id} onChange={(e) => setFormatId(e.target.value)}>
            {FORMATS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="export-copy" disabled={failed} onClick={copy}>
          Copy
        </button>
        <button
          type="button"
          data-testid="export-download"
          disabled={failed}
          onClick={() => download(exportFileName(store.getState(), format.extension), format.mime, preview)}
        >
          Download
        </button>
      </div>
      <pre className="ll-exchange-preview" data-testid="export-preview">
        {preview}
      </pre>
      <div className="ll-exchange-import">
        <textarea
          aria-label="paste a looplab export: JSON or schedule text"
          placeholder="paste a JSON export or schedule text (m:64 n:16 k m:4 n:16)"
          data-testid="import-text"
          rows={3}
          value={pasted}
          onChange={(e) => setPasted(e.target.value)}
        />
        <div className="ll-exchange-import-actions">
          <button
            type="button"
            data-testid="import-apply"
            disabled={pasted.trim() === ''}
            onClick={() => apply(pasted, 'the pasted text', 'the pasted text')}
          >
            Import pasted text
          </button>
          <button type="button" data-testid="import-file-button" onClick={() => fileInput.current?.click()}>
            Import a file…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".json,.txt,application/json,text/plain"
            hidden
            data-testid="import-file"
            onChange={onFile}
          />
        </div>
        {importError ? (
          <p className="ll-error" role="alert" data-testid="import-error">
            {importError}
          </p>
        ) : null}
      </div>
      <EmbedCode />
    </Panel>
  );
}
