/**
 * Regimes, decided from where a trajectory ends up (see the README's
 * "Regimes" section for the rules in prose). Both engines hand over the same
 * raw statistics, so this one function classifies for both.
 */
import { chunkArray, LOSS_TAIL, type ChunkArrays } from './engine/records.js';
import { REGIMES, tailWindows, type ChunkResult, type ChunkStats } from './engine/types.js';
import { trainabilityOf } from './trainability.js';

const CONVERGED = REGIMES.indexOf('converged');
const CONVERGING = REGIMES.indexOf('converging');
const OSCILLATING = REGIMES.indexOf('oscillating');
const STALLED = REGIMES.indexOf('stalled');
const DIVERGED = REGIMES.indexOf('diverged');

/**
 * Over one more run of the same length, a contracting trajectory would at
 * least halve its gradient and a growing one at least double it. In between
 * it is neither: oscillating if its gradient keeps reversing, stalled if not.
 * With `arrays` (a run that recycles its chunks) the derived arrays are reused too.
 *
 * The contraction rates (`rate`) are computed when first read: a power per
 * trajectory that has not converged, they took nine tenths of the
 * classifying, and a summary never reads them.
 */
export function classifyChunk(stats: ChunkStats, steps: number, byLoss = false, arrays?: ChunkArrays): ChunkResult {
  const n = stats.count;
  const regime = chunkArray(arrays, 'regime', Uint8Array, n);
  const regimeStep = chunkArray(arrays, 'regimeStep', Int32Array, n).fill(-1);
  const { width } = tailWindows(steps);
  classifyInto(n, steps, width, stats.gradA, stats.gradB, stats.escapeStep, stats.lastAbove, stats.flips, regime, regimeStep);
  const criterion = stats.lossSum ? trainabilityOf(stats, steps) : undefined;
  if (byLoss && criterion) classifyByLoss(stats, steps, width, criterion.trainable, regime, regimeStep);
  const result = { ...stats, regime, regimeStep, ...criterion } as ChunkResult;
  let rate: Float64Array | undefined;
  Object.defineProperty(result, 'rate', {
    enumerable: true,
    get: () => {
      if (!rate) {
        rate = chunkArray(arrays, 'rate', Float64Array, n);
        ratesInto(n, width, stats.gradA, stats.gradB, stats.escapeStep, rate);
      }
      return rate;
    },
  });
  return result;
}

/**
 * The regimes of a run judged by its loss (the network), from its loss record
 * (src/engine/records.ts), with v the loss over the initial loss and the loss
 * windows A and B the W iterates before the last W and the last W. In order:
 * - diverged: it escaped, or it is not trainable (the last 20 v average 1 or
 *   more: the loss ended no lower than it started) and the loss is not falling;
 * - decreasing (index of converging): the loss is falling fast enough to at
 *   least halve over another run of the same length (mean v over B below
 *   2^(−W/K) times that over A);
 * - oscillating: the loss rises and falls in window B, its rises adding up to
 *   at least 1 % of its sum there (a swing of 1 % of its level per step);
 * - trained (index of converged): at most half the initial loss, and not falling that fast any more;
 * - not learning (index of stalled): above half the initial loss, and not falling that fast.
 * Only a diverged run has a step (its escape step).
 */
function classifyByLoss(stats: ChunkStats, steps: number, width: number, trainable: Uint8Array, regime: Uint8Array, regimeStep: Int32Array): void {
  const { lossA, lossB, lossTail, lossRise } = stats;
  const contracting = Math.pow(2, -width / steps);
  const countA = steps - width - Math.max(0, steps - 2 * width);
  for (let i = 0; i < stats.count; i++) {
    const escaped = stats.escapeStep[i]!;
    if (escaped >= 0) {
      regime[i] = DIVERGED;
      regimeStep[i] = escaped;
      continue;
    }
    regimeStep[i] = -1;
    const falling = countA > 0 && lossB![i]! / width < (lossA![i]! / countA) * contracting;
    if (!trainable[i] && !falling) regime[i] = DIVERGED;
    else if (falling) regime[i] = CONVERGING;
    else if (lossRise![i]! >= 0.01 * lossB![i]!) regime[i] = OSCILLATING;
    else if (lossTail![i]! / Math.min(LOSS_TAIL, steps) <= 0.5) regime[i] = CONVERGED;
    else regime[i] = STALLED;
  }
}

/**
 * The loop of classifyChunk, in a function of its own that takes every array as a
 * parameter: V8 compiles it to a loop about four times faster than one that reads
 * the arrays out of the stats object or is followed by the object spread above.
 */
function classifyInto(
  n: number,
  steps: number,
  width: number,
  gradA: Float32Array,
  gradB: Float32Array,
  escapeStep: Int32Array,
  lastAbove: Int32Array,
  flips: Uint32Array,
  regime: Uint8Array,
  regimeStep: Int32Array,
): void {
  const contracting = Math.pow(2, -width / steps);
  const growing = Math.pow(2, width / steps);
  for (let i = 0; i < n; i++) {
    const escaped = escapeStep[i]!;
    if (escaped >= 0) {
      regime[i] = DIVERGED;
      regimeStep[i] = escaped;
      continue;
    }
    const last = lastAbove[i]!;
    if (last < steps) {
      regime[i] = CONVERGED;
      regimeStep[i] = last + 1;
      continue;
    }
    const ratio = tailRatio(gradA[i]!, gradB[i]!);
    if (ratio > growing) {
      regime[i] = DIVERGED;
    } else if (ratio < contracting) {
      regime[i] = CONVERGING;
    } else if (flips[i]! > 0) {
      regime[i] = OSCILLATING;
    } else {
      regime[i] = STALLED;
    }
  }
}

/** How much the gradient grew from tail window A to B: gradB / gradA, with ∞ for growth from zero and 0 for none. */
function tailRatio(a: number, b: number): number {
  return a > 0 ? b / a : b > 0 ? Infinity : 0;
}

/** Contraction rates per step over the tail, (gradB / gradA)^(1/W); NaN where a trajectory escaped before the tail windows. */
function ratesInto(n: number, width: number, gradA: Float32Array, gradB: Float32Array, escapeStep: Int32Array, rate: Float64Array): void {
  const root = 1 / width;
  for (let i = 0; i < n; i++) {
    if (escapeStep[i]! >= 0) {
      rate[i] = NaN; // frozen before the tail windows: no rate was measured
      continue;
    }
    const ratio = tailRatio(gradA[i]!, gradB[i]!);
    // pow(±0, 1/W) is +0 and pow(∞, 1/W) is ∞ exactly: the common converged case skips the call.
    rate[i] = ratio === 0 ? 0 : ratio === Infinity ? Infinity : Math.pow(ratio, root);
  }
}
