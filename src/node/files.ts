/**
 * Where a command's output goes, chosen by what the path is:
 *
 * - a regular file, or a path that does not exist yet: written to a
 *   temporary file beside it and renamed into place at the end, so it is
 *   either complete or absent, and an interrupted command leaves an existing
 *   file as it was;
 * - a symbolic link: the same, for the file it points to (the link stays);
 * - a device, a FIFO or a socket (/dev/null, /dev/stdout, a named pipe):
 *   written as a stream, in place;
 * - a directory: refused.
 *
 * Temporary files still open when the process exits (a second Ctrl-C) are
 * removed on the way out, and each is announced to `onPartial` listeners so a
 * parent process can remove it should this one be killed outright.
 */
import { closeSync, lstatSync, openSync, readlinkSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { TextSink } from '../output/sink.js';

/** A path that cannot be written, with why in a few words. */
export class OutputPathError extends Error {
  override readonly name = 'OutputPathError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** An output being written: complete once committed, gone (or untouched) if discarded. */
export interface OutputFile extends TextSink {
  /** The path as given. */
  readonly path: string;
  write(data: string | Uint8Array): void;
  commit(): void;
  discard(): void;
}

/** Temporary files being written, removed if the process exits before they are committed. */
const pending = new Set<AtomicFile>();

/** Told of each temporary file when it is created (`open`) and when it is renamed or removed (`closed`). */
type PartialListener = (event: 'open' | 'closed', path: string) => void;
let listener: PartialListener | undefined;

export function onPartial(l: PartialListener | undefined): void {
  listener = l;
}

/** Removes every temporary file still being written (on exit). */
export function discardPending(): void {
  for (const file of [...pending]) file.discard();
}

/** A file written to a temporary beside it and renamed into place on commit. */
export class AtomicFile implements OutputFile {
  private readonly temp: string;
  private fd: number | undefined;

  /** Opens the temporary file at once, so an unwritable path fails before any work is done. `target` is where it goes (a link's target). */
  constructor(
    readonly path: string,
    private readonly target = path,
  ) {
    this.temp = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
    this.fd = openSync(this.temp, 'w', 0o666);
    pending.add(this);
    listener?.('open', this.temp);
  }

  write(data: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already closed`);
    writeAll(this.fd, data);
  }

  /** Moves the finished file into place. */
  commit(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.temp, this.target);
    this.settle();
  }

  /** Removes the partial file (on error or cancellation). */
  discard(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    rmSync(this.temp, { force: true });
    this.settle();
  }

  private settle(): void {
    if (pending.delete(this)) listener?.('closed', this.temp);
  }
}

/** A device, FIFO or socket, written in place as a stream. */
class StreamFile implements OutputFile {
  private fd: number | undefined;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  write(data: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already closed`);
    writeAll(this.fd, data);
  }
  commit(): void {
    this.close();
  }
  discard(): void {
    this.close();
  }
  private close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The file a link finally points to (which need not exist yet). */
function linkTarget(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let stats;
    try {
      stats = lstatSync(current);
    } catch {
      return current; // a link to a file that does not exist yet: create it
    }
    if (!stats.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw new OutputPathError(path, 'is a chain of too many symbolic links');
}

const CODES: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the name is too long',
};

/** Opens the output at a path, or throws OutputPathError saying why it cannot be written. */
export function openOutput(path: string): OutputFile {
  try {
    const target = linkTarget(path);
    let kind: 'missing' | 'file' | 'directory' | 'stream' = 'missing';
    try {
      const stats = statSync(target);
      kind = stats.isDirectory() ? 'directory' : stats.isFile() ? 'file' : 'stream';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (kind === 'directory') throw new OutputPathError(path, 'is a folder');
    return kind === 'stream' ? new StreamFile(target) : new AtomicFile(path, target);
  } catch (e) {
    if (e instanceof OutputPathError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new OutputPathError(path, CODES[code] ? `cannot be written: ${CODES[code]} (${code})` : `cannot be written (${code || (e as Error).message})`);
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
  write(text: string | Uint8Array): void {
    writeAll(this.fd, text);
  }
}
