/**
 * A readable one-line message for anything thrown: an Error's message (its name when the message
 * is empty), a string as is, the `message` of a structured clone of an Error from a worker, else
 * the value as JSON.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
