/**
 * Running a spec to its raw statistics, and comparing two engines' statistics
 * bit for bit. The fields come from the trajectory record (src/engine/records.ts).
 */
import { expect } from 'vitest';
import { STAT_NAMES, type StatName } from '../../src/engine/records';
import type { ChunkStats, Engine, RunOptions } from '../../src/engine/types';
import { parseSpec, type SpecInput } from '../../src/experiment';

export async function collect(engine: Engine, input: SpecInput, options: RunOptions = {}): Promise<ChunkStats[]> {
  const chunks: ChunkStats[] = [];
  for await (const chunk of engine.run(parseSpec(input), options)) chunks.push(chunk);
  return chunks;
}

/** One field over all chunks, in grid order. */
export function field(chunks: readonly ChunkStats[], name: StatName): number[] {
  return chunks.flatMap((c) => Array.from((c[name] ?? []) as ArrayLike<number>));
}

/** Every statistic of every trajectory equal, bit for bit (NaN to NaN, −0 to −0), and the same chunks. */
export function expectSameStats(actual: readonly ChunkStats[], expected: readonly ChunkStats[]): void {
  expect(actual.map((c) => c.start)).toEqual(expected.map((c) => c.start));
  expect(actual.map((c) => c.count)).toEqual(expected.map((c) => c.count));
  for (const name of STAT_NAMES) {
    const a = field(actual, name);
    const b = field(expected, name);
    expect(a.length, `${name}: as many values`).toBe(b.length);
    for (let i = 0; i < a.length; i++) {
      if (!Object.is(a[i], b[i])) expect.fail(`${name}[${i}]: ${a[i]} ≠ ${b[i]}`);
    }
  }
}

/** Two arrays equal bit for bit, and of the same length (an empty result is not a match). */
export function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  expect(expected.length, `${what}: something to compare`).toBeGreaterThan(0);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}[${i}]: ${actual[i]} ≠ ${expected[i]}`);
  }
}
