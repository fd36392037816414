/**
 * Silencing Dawn while it looks for adapters, inside this process.
 *
 * Dawn, the native WebGPU library, writes warnings straight to file
 * descriptor 2 from C++ while it enumerates adapters (on lavapipe, two lines
 * about limits it lowers for itself; on a machine without a driver, why it
 * found none, with frames of its source). JavaScript cannot catch them.
 * bin/lrscope.js can filter them in a parent process, at the cost of a second
 * Node start-up (0.1 s); this does without one where it safely can: for the
 * length of the discovery, descriptor 2 points at /dev/null, and afterwards it
 * is reopened through /proc/self/fd.
 *
 * Reopening gives back the same pipe or terminal, so it is done only where
 * descriptor 2 is a pipe or a character device (bin/stderr-mutable.js says
 * why). Elsewhere, off Linux, and with LRSCOPE_DEBUG set, nothing is muted.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { stderrCanBeMuted } from '../../bin/stderr-mutable.js';

/** Whether muteStderr mutes here: where stderr can be muted (bin/stderr-mutable.js), unless LRSCOPE_DEBUG asks for Dawn's messages. */
export function canMuteStderr(): boolean {
  return !process.env.LRSCOPE_DEBUG && stderrCanBeMuted();
}

const WRITE = constants.O_WRONLY | constants.O_NOCTTY;

/** Runs `work` with descriptor 2 on /dev/null where canMuteStderr() allows it, and as it is elsewhere. */
export async function muteStderr<T>(work: () => Promise<T>): Promise<T> {
  if (!canMuteStderr()) return work();
  let saved: number;
  try {
    saved = openSync('/proc/self/fd/2', WRITE);
  } catch {
    return work();
  }
  /** Points descriptor 2 at `path`; false if the descriptor it got is not 2 (then 2 is left closed). */
  const reopen = (path: string): boolean => {
    try {
      closeSync(2);
    } catch {
      // already closed by a reopen that failed half-way
    }
    const fd = openSync(path, WRITE);
    if (fd === 2) return true;
    closeSync(fd);
    return false;
  };
  const restore = () => {
    try {
      reopen(`/proc/self/fd/${saved}`);
    } finally {
      closeSync(saved);
    }
  };
  let muted = false;
  try {
    muted = reopen('/dev/null');
  } catch {
    // /dev/null could not be opened: run as it is
  }
  if (!muted) {
    restore();
    return work();
  }
  try {
    return await work();
  } finally {
    restore();
  }
}
