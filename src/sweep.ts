/**
 * Running a spec: an engine's raw statistics, classified chunk by chunk.
 */
import { classifyChunk } from './classify.js';
import { ChunkArrays } from './engine/records.js';
import type { Spec } from './experiment/index.js';
import { judgedByLoss, REGIMES, type ChunkResult, type Engine, type Regime, type RunOptions } from './engine/types.js';

/**
 * Streams the classified results of every trajectory in the grid, chunk by chunk in grid order
 * (with `recycle`, in arrays reused from chunk to chunk: see RunOptions).
 */
export async function* sweep(spec: Spec, engine: Engine, options: RunOptions = {}): AsyncGenerator<ChunkResult> {
  const byLoss = judgedByLoss(spec);
  const arrays = options.recycle ? new ChunkArrays() : undefined;
  for await (const stats of engine.run(spec, options)) yield classifyChunk(stats, spec.base.steps, byLoss, arrays);
}

export type RegimeCounts = Record<Regime, number>;

export function emptyCounts(): RegimeCounts {
  return Object.fromEntries(REGIMES.map((r) => [r, 0])) as RegimeCounts;
}

export function addCounts(counts: RegimeCounts, chunk: ChunkResult): void {
  const byIndex = countRegimes(chunk.regime, chunk.count);
  REGIMES.forEach((r, k) => (counts[r] += byIndex[k]!));
}

/**
 * Counted by index: one integer increment per trajectory rather than a keyed property, in a
 * function of typed arrays alone (V8 keeps one fast loop for every chunk).
 */
function countRegimes(regime: Uint8Array, count: number): Uint32Array {
  const byIndex = new Uint32Array(REGIMES.length);
  for (let i = 0; i < count; i++) byIndex[regime[i]!]!++;
  return byIndex;
}
