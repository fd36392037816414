/** Part files on disk (src/output/part.ts), read a block at a time. */
import { closeSync, openSync, readSync } from 'node:fs';
import { PartError, readPart, type PartReader } from '../output/part.js';

export interface PartFile extends PartReader {
  readonly path: string;
  close(): void;
}

/** Opens a part and reads its header; throws PartError for a file that is not one, or not readable. */
export function openPart(path: string): PartFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new PartError(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const read = (position: number, length: number) => {
    const bytes = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, bytes, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return bytes.subarray(0, done);
  };
  try {
    return { ...readPart(read), path, close: () => closeSync(fd) };
  } catch (e) {
    closeSync(fd);
    if (e instanceof PartError) throw e;
    throw new PartError(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
