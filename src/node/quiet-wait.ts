/**
 * Waiting on the GPU in Node without spinning a core.
 *
 * Dawn's Node binding delivers a promise (mapAsync, onSubmittedWorkDone, a
 * pipeline compiled asynchronously) by polling: while any is pending, it
 * queues `setImmediate` after `setImmediate`, so the event loop never rests
 * and the main thread takes a whole core. On a software adapter (lavapipe)
 * that core is one the kernel itself runs on: a 2048² sweep on a 2-core
 * machine computed about a quarter faster once the wait stopped spinning.
 *
 * `quietly(promise)` lets the loop turn freely for the first couple of
 * milliseconds of a wait (Dawn needs several turns to deliver even a
 * promise whose work is done, so short waits stay short), then slows it to
 * about a turn a millisecond: each turn, after Dawn's poll, the main thread
 * sleeps (Atomics.wait blocks without using the CPU) for a twentieth of the
 * time waited so far, at most a millisecond. A long wait thus ends a few
 * milliseconds late, while the device works on what is queued behind it.
 */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Waits shorter than this are not slowed. */
const FREE_MS = 2;
const MAX_PAUSE_MS = 1;
let waiting = 0;
let since = 0;
/** Whether a turn of `pause` is queued: one at a time, however often waits start and end. */
let queued = false;

function pause(): void {
  queued = false;
  if (waiting === 0) return;
  const waited = performance.now() - since;
  if (waited > FREE_MS) Atomics.wait(sleeper, 0, 0, Math.min(MAX_PAUSE_MS, waited / 20));
  queue();
}

function queue(): void {
  if (queued) return;
  queued = true;
  setImmediate(pause);
}

export function quietly<T>(promise: Promise<T>): Promise<T> {
  if (waiting++ === 0) since = performance.now();
  queue();
  return promise.finally(() => {
    waiting--;
  });
}
