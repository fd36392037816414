/**
 * A run that recycles its chunks' arrays (RunOptions.recycle) gives every
 * chunk the same values as one that does not, in arrays it reuses from chunk
 * to chunk: the reuse is what saves a long sweep its allocations.
 */
import { afterAll, expect, it } from 'vitest';
import { ChunkArrays } from '../src/engine/records';
import type { ChunkResult, ChunkStats } from '../src/engine/types';
import { parseSpec } from '../src/experiment';
import { sweep } from '../src/sweep';
import { gpuEngine, itGpu } from './helpers/engines';
import { expectSameBits, expectSameStats } from './helpers/stats';

const gpu = await gpuEngine({ lanes: 4 });
afterAll(() => gpu?.dispose());

/** A sweep of 7 chunks, the last one shorter, with every regime in it. */
const spec = parseSpec({ lr: '0.01:1.2:37', decayRate: '0.9:1:29', schedule: 'exponential', decaySteps: 3, steps: 120, w0: [5, -2] });
const chunkSize = 160;

/** Each chunk's arrays copied as it comes, and the buffers it came in. */
function copied<T extends ChunkStats>(chunk: T): { copy: T; buffers: ArrayBufferLike[] } {
  const copy = { ...chunk } as Record<string, unknown>;
  const buffers: ArrayBufferLike[] = [];
  for (const [key, value] of Object.entries(chunk)) {
    if (ArrayBuffer.isView(value)) {
      buffers.push(value.buffer);
      copy[key] = (value as Float32Array).slice();
    }
  }
  return { copy: copy as T, buffers };
}

it('ChunkArrays hands the same array out again, grown only when a chunk needs more', () => {
  const arrays = new ChunkArrays();
  const a = arrays.take('x', Float32Array, 10);
  a.fill(7);
  const b = arrays.take('x', Float32Array, 6);
  expect(b.buffer).toBe(a.buffer);
  expect(b.length).toBe(6);
  expect(Array.from(b)).toEqual([7, 7, 7, 7, 7, 7]);
  const c = arrays.take('x', Float32Array, 12);
  expect(c.buffer).not.toBe(a.buffer);
  expect(c.length).toBe(12);
  // Another type under the same name is a new array, not a reinterpretation.
  const d = arrays.take('x', Int32Array, 4);
  expect(d).toBeInstanceOf(Int32Array);
  expect(arrays.take('y', Uint8Array, 3).buffer).not.toBe(d.buffer);
});

itGpu(gpu)('GPU engine: a recycling run gives the same statistics, in reused arrays', async () => {
  const plain: ChunkStats[] = [];
  for await (const chunk of gpu!.run(spec, { chunkSize })) plain.push(chunk);
  const recycled: ChunkStats[] = [];
  const buffers: ArrayBufferLike[][] = [];
  for await (const chunk of gpu!.run(spec, { chunkSize, recycle: true })) {
    const { copy, buffers: b } = copied(chunk);
    recycled.push(copy);
    buffers.push(b);
  }
  expect(plain.length).toBe(7);
  expectSameStats(recycled, plain);
  // From the second chunk on, every array lives where the first chunk's did.
  for (const b of buffers.slice(1)) expect(b).toEqual(buffers[0]);
  // Without recycling, no two chunks share an array.
  expect(plain[1]!.gradA.buffer).not.toBe(plain[0]!.gradA.buffer);
});

itGpu(gpu)('sweep: recycled regimes, steps and rates equal the plain ones', async () => {
  const plain: ChunkResult[] = [];
  for await (const chunk of sweep(spec, gpu!, { chunkSize })) plain.push(chunk);
  const recycled: ChunkResult[] = [];
  let regimeBuffer: ArrayBufferLike | undefined;
  for await (const chunk of sweep(spec, gpu!, { chunkSize, recycle: true })) {
    regimeBuffer ??= chunk.regime.buffer;
    expect(chunk.regime.buffer).toBe(regimeBuffer);
    recycled.push(copied(chunk).copy);
  }
  const all = (chunks: ChunkResult[], key: 'regime' | 'regimeStep' | 'rate') => chunks.flatMap((c) => Array.from(c[key]));
  for (const key of ['regime', 'regimeStep', 'rate'] as const) expectSameBits(all(recycled, key), all(plain, key), key);
  // Every regime occurs, so a stale value left in a reused array would show.
  expect(new Set(all(plain, 'regime')).size).toBeGreaterThanOrEqual(3);
});

itGpu(gpu)('a chunk computes its contraction rates when they are first read: (gradB / gradA)^(1/W), NaN where it escaped', async () => {
  const width = 30; // tailWindows(120): a quarter of the steps
  let checked = 0;
  for await (const chunk of sweep(spec, gpu!, { chunkSize })) {
    // An own, enumerable property: a spread or Object.entries copies it like the others.
    expect(Object.keys(chunk)).toContain('rate');
    const { rate } = { ...chunk };
    expect(chunk.rate).toBe(rate); // computed once
    for (let i = 0; i < chunk.count; i++) {
      const a = chunk.gradA[i]!;
      const b = chunk.gradB[i]!;
      const expected = chunk.escapeStep[i]! >= 0 ? NaN : a > 0 ? (b / a) ** (1 / width) : b > 0 ? Infinity : 0;
      if (!Object.is(rate[i], expected)) expect.fail(`rate[${chunk.start + i}]: ${rate[i]} ≠ ${expected}`);
      checked++;
    }
  }
  expect(checked).toBe(37 * 29);
});
