// Copying a text the page shows (an export, an embed code), with a notice either way.
import { errorMessage } from '../core/errors.ts';

type Notify = (kind: 'info' | 'error', text: string) => void;

/** Copies `text`; says `copied <what>`, or why not and that the shown text can be selected instead. */
export function copyText(text: string, what: string, notify: Notify): void {
  const clipboard = typeof navigator !== 'undefined' ? navigator.clipboard : undefined;
  if (!clipboard?.writeText) {
    notify('error', 'this browser gives no clipboard access here; select the text and copy it');
    return;
  }
  clipboard.writeText(text).then(
    () => notify('info', `copied ${what}`),
    (error: unknown) => notify('error', `could not copy: ${errorMessage(error)}; select the text and copy it`),
  );
}
