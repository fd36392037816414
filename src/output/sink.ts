/** Where text output goes: a file written atomically, stdout, or a string in tests. */
export interface TextSink {
  write(text: string): void | Promise<void>;
}

/** Collects everything written (tests, small outputs). */
export class StringSink implements TextSink {
  private parts: string[] = [];
  write(text: string): void {
    this.parts.push(text);
  }
  toString(): string {
    return this.parts.join('');
  }
}
