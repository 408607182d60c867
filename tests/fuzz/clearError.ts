/**
 * What the fuzz targets accept as a "clear" error: the module refusing bad input in words a person can act on.
 * Anything else (a TypeError from deep inside, a message that is empty, a wall of text, control characters that
 * garble a terminal, or the input pasted back at length) is a failure.
 */

/** Longer than this, a message is a dump rather than a sentence or two. */
export const MAX_MESSAGE_CHARS = 500;
/** How much of the raw input a message may quote verbatim (a short value or name, as describeValue gives). */
export const MAX_ECHO_CHARS = 48;

/** JavaScript's own errors: thrown by a bug (a property of undefined, a stack overflow), never on purpose. */
const RUNTIME_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why `error` is not a clear error, or null when it is one. `raw` are the strings the case fed in (file text, field
 * values, keys); the message may repeat at most MAX_ECHO_CHARS characters of any one of them in a row.
 */
export function unclearReason(error: unknown, raw: readonly string[] = []): string | null {
  if (!(error instanceof Error)) return `threw a non-Error: ${String(error).slice(0, 100)}`;
  const runtime = RUNTIME_ERRORS.find((c) => error instanceof c);
  if (runtime) return `threw a ${runtime.name}: ${error.message.slice(0, 200)}`;
  const cause = (error as { cause?: unknown }).cause;
  if (RUNTIME_ERRORS.some((c) => cause instanceof c)) return `wrapped a ${(cause as Error).name}: ${error.message.slice(0, 200)}`;
  const message = error.message;
  if (message.trim() === '') return 'the message is empty';
  if (message.length > MAX_MESSAGE_CHARS) return `the message is ${message.length} characters long: ${message.slice(0, 120)}…`;
  if (CONTROL.test(message)) return `the message has control characters: ${JSON.stringify(message.slice(0, 200))}`;
  const echoed = longestEcho(message, raw);
  if (echoed.length > MAX_ECHO_CHARS) return `the message repeats ${echoed.length}+ characters of the input: ${JSON.stringify(echoed.slice(0, 80))}`;
  return null;
}

/** A run of more than MAX_ECHO_CHARS characters of the message found verbatim in one of `raw` ('' when none is). */
function longestEcho(message: string, raw: readonly string[]): string {
  const window = MAX_ECHO_CHARS + 1;
  const long = raw.filter((s) => s.length >= window);
  if (long.length === 0 || message.length < window) return '';
  for (let i = 0; i + window <= message.length; i++) {
    const piece = message.slice(i, i + window);
    if (long.some((s) => s.includes(piece))) {
      let end = i + window;
      while (end < message.length && long.some((s) => s.includes(message.slice(i, end + 1)))) end++;
      return message.slice(i, end);
    }
  }
  return '';
}

/** Every string in a JSON-like value, keys included: what a message must not echo at length. */
export function stringsIn(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 64) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out, depth + 1);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, out, depth + 1);
    }
  }
  return out;
}

/** Throws (with the reason) unless `error` is clear; for use inside a property. */
export function expectClearError(error: unknown, raw: readonly string[] = []): void {
  const reason = unclearReason(error, raw);
  if (reason) throw new Error(`Unclear error: ${reason}`, { cause: error });
}
