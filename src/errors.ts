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
    super(accepted ? `${field}: ${problem}; expected ${accepted}` : `${field}: ${problem}`);
  }
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
