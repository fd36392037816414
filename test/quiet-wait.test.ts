/**
 * src/node/quiet-wait.ts: a wait on a promise that Dawn's binding delivers by
 * polling (setImmediate after setImmediate) must not keep a core busy, and
 * must still end soon after the promise is ready.
 */
import { describe, expect, it } from 'vitest';
import { quietly } from '../src/node/quiet-wait';

/** A promise delivered as Dawn's binding delivers one: polled every turn of the event loop until `ms` have passed. */
function polled<T>(ms: number, value: T): Promise<T> {
  const until = performance.now() + ms;
  return new Promise((resolve) => {
    const poll = () => (performance.now() >= until ? resolve(value) : setImmediate(poll));
    setImmediate(poll);
  });
}

/** The wall time of a wait and the share of it this process spent on the CPU. */
async function timed(wait: () => Promise<unknown>): Promise<{ ms: number; cpuShare: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await wait();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuShare: (used.user + used.system) / 1000 / ms };
}

describe('quietly', () => {
  it('hands over the value or the error of the promise', async () => {
    await expect(quietly(Promise.resolve(42))).resolves.toBe(42);
    await expect(quietly(Promise.reject(new Error('lost')))).rejects.toThrow('lost');
  });

  it('lets the CPU rest while a polled promise is pending', async () => {
    const spinning = await timed(() => polled(200, 0));
    const quiet = await timed(() => quietly(polled(200, 0)));
    expect(spinning.cpuShare).toBeGreaterThan(0.7); // the simulation spins as Dawn does
    expect(quiet.cpuShare).toBeLessThan(0.35);
    expect(quiet.ms).toBeLessThan(200 + 25);
  });

  it('ends a wait soon after its promise is ready, however many waits came before', async () => {
    for (let i = 0; i < 200; i++) await quietly(polled(0, i));
    const { ms } = await timed(() => quietly(polled(60, 0)));
    expect(ms).toBeLessThan(60 + 25);
  });
});
