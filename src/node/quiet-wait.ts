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
 * `quietly(promise)` lets the loop turn at most about once a millisecond
 * until the promise settles: each turn, after Dawn's poll, the main thread
 * sleeps for up to a millisecond (Atomics.wait blocks without using the CPU). The promise
 * resolves at most a millisecond later than it would have.
 */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const PAUSE_MS = 1;
let waiting = 0;

function pause(): void {
  if (waiting === 0) return;
  Atomics.wait(sleeper, 0, 0, PAUSE_MS);
  setImmediate(pause);
}

export function quietly<T>(promise: Promise<T>): Promise<T> {
  if (waiting++ === 0) setImmediate(pause);
  return promise.finally(() => {
    waiting--;
  });
}
