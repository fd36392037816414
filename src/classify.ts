/**
 * Regimes, decided from where a trajectory ends up (see the README's
 * "Regimes" section for the rules in prose). Both engines hand over the same
 * raw statistics, so this one function classifies for both.
 */
import { REGIMES, tailWindows, type ChunkResult, type ChunkStats } from './engine/types.js';

const CONVERGED = REGIMES.indexOf('converged');
const CONVERGING = REGIMES.indexOf('converging');
const OSCILLATING = REGIMES.indexOf('oscillating');
const STALLED = REGIMES.indexOf('stalled');
const DIVERGED = REGIMES.indexOf('diverged');

/**
 * Over one more run of the same length, a contracting trajectory would at
 * least halve its gradient and a growing one at least double it. In between
 * it is neither: oscillating if its gradient keeps reversing, stalled if not.
 */
export function classifyChunk(stats: ChunkStats, steps: number): ChunkResult {
  const n = stats.count;
  const regime = new Uint8Array(n);
  const regimeStep = new Int32Array(n);
  const rate = new Float64Array(n);
  const { width } = tailWindows(steps);
  const contracting = Math.pow(2, -width / steps);
  const growing = Math.pow(2, width / steps);
  for (let i = 0; i < n; i++) {
    const a = stats.gradA[i]!;
    const b = stats.gradB[i]!;
    const ratio = a > 0 ? b / a : b > 0 ? Infinity : 0;
    rate[i] = Math.pow(ratio, 1 / width);
    regimeStep[i] = -1;
    if (stats.escapeStep[i]! >= 0) {
      regime[i] = DIVERGED;
      regimeStep[i] = stats.escapeStep[i]!;
      rate[i] = NaN; // frozen before the tail windows: no rate was measured
    } else if (stats.lastAbove[i]! < steps) {
      regime[i] = CONVERGED;
      regimeStep[i] = stats.lastAbove[i]! + 1;
    } else if (ratio > growing) {
      regime[i] = DIVERGED;
    } else if (ratio < contracting) {
      regime[i] = CONVERGING;
    } else if (stats.flips[i]! > 0) {
      regime[i] = OSCILLATING;
    } else {
      regime[i] = STALLED;
    }
  }
  return { ...stats, regime, regimeStep, rate };
}
