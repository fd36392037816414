/**
 * Output files that are either complete or absent: everything is written to
 * a temporary file beside the target and renamed into place at the end.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TextSink } from '../output/sink.js';

export class AtomicFile implements TextSink {
  private readonly temp: string;
  private fd: number | undefined;

  /** Opens the temporary file at once, so an unwritable path fails before any work is done. */
  constructor(readonly path: string) {
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
    this.fd = openSync(this.temp, 'w');
  }

  write(text: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already closed`);
    writeAll(this.fd, text);
  }

  /** Moves the finished file into place. */
  commit(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.temp, this.path);
  }

  /** Removes the partial file (on error or cancellation). */
  discard(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    rmSync(this.temp, { force: true });
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `data`, waiting while a non-blocking descriptor (a full pipe) is not ready. */
export function writeAll(fd: number, data: string | Uint8Array): void {
  let bytes = typeof data === 'string' ? Buffer.from(data) : data;
  while (bytes.length > 0) {
    try {
      const n = writeSync(fd, bytes);
      bytes = bytes.subarray(n);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}

/** Writes to a file descriptor synchronously (stdout), so output keeps its order with everything else. */
export class FdSink implements TextSink {
  constructor(private readonly fd: number) {}
  write(text: string): void {
    writeAll(this.fd, text);
  }
}
