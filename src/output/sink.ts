/**
 * Where output goes: a file written atomically, stdout, or a string in tests.
 * Images, and the rows of large tables, are written as bytes (text as UTF-8);
 * the writer may reuse its bytes once `write` returns or its promise settles.
 */
export interface TextSink {
  write(text: string | Uint8Array): void | Promise<void>;
}

/** Collects everything written (tests, small outputs). */
export class StringSink implements TextSink {
  private parts: string[] = [];
  write(text: string | Uint8Array): void {
    this.parts.push(typeof text === 'string' ? text : new TextDecoder('latin1').decode(text));
  }
  toString(): string {
    return this.parts.join('');
  }
}
