/**
 * Errors a user can act on. They carry a one-line message that names the
 * field and the accepted form; front ends print the message alone, never a
 * stack trace.
 */

/** A spec field (flag, JSON key or URL parameter) that cannot be accepted. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    /** The field as the user wrote it: `--decay-rate`, `decayRate`, … */
    readonly field: string,
    /** What is wrong, in a few words. */
    readonly problem: string,
    /** The accepted form. */
    readonly accepted?: string,
  ) {
    super(oneLine(accepted ? `${field}: ${problem}; expected ${accepted}` : `${field}: ${problem}`));
  }
}

/**
 * A message on one line whatever text it quotes: control characters and
 * Unicode line and paragraph separators are written as \uXXXX escapes.
 */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029\u0085]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** No usable WebGPU adapter: the message says how to get one. */
export class NoAdapterError extends Error {
  override readonly name = 'NoAdapterError';
}

/** The run was cancelled through its AbortSignal. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/** Throws CancelledError if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Lets pending events (signals, cancellation, redraws) run: setImmediate in Node; a message round trip in browsers and workers (no 4 ms timer clamp). */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
