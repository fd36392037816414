// Whether file descriptor 2 can be pointed at /dev/null for a while and then
// reopened through /proc/self/fd, giving the same stream back: a pipe or a
// character device (a terminal), on Linux, with descriptors 0 and 1 open (so
// that closing 2 makes it the lowest free descriptor, which open() takes).
// A regular file would come back with an offset of its own and overwrite
// what was written before; a socket cannot be reopened. bin/lrscope.js asks
// before it runs a GPU command in its own process; src/node/mute-stderr.ts
// asks before it mutes Dawn's adapter discovery.
import { fstatSync } from 'node:fs';

export function stderrCanBeMuted() {
  if (process.platform !== 'linux') return false;
  try {
    fstatSync(0);
    fstatSync(1);
    const stderr = fstatSync(2);
    return stderr.isFIFO() || stderr.isCharacterDevice();
  } catch {
    return false;
  }
}
