/**
 * The trainability criterion of Sohl-Dickstein, "The boundary of neural
 * network trainability is fractal" (2024), and lrscope's regimes for runs
 * judged by their loss (the network).
 *
 * The paper's measure of a run, from the losses ℓ₀ … ℓ_{K−1} that its K steps
 * see: normalise by the first, v_k = ℓ_k / ℓ₀, cap at 10⁶ (a loss that is not
 * finite counts as the cap); the run is trainable iff the mean of the last 20
 * v_k is below 1, and its score is −Σ v_k if it is, Σ 1/v_k if not. Trainable
 * runs score below 0, untrainable ones above, so the boundary of trainability
 * is where the score changes sign.
 *
 * lrscope's engines keep the sums as they go (the loss record of
 * src/engine/records.ts), so no run's losses are stored. Two details differ
 * from the paper's notebook, both documented in the README:
 * - v_k is also held above 10⁻⁶, so that 1/v_k stays finite;
 * - a run stops at its escape step (some |wᵢ| past --bound): from there on
 *   every loss counts as the cap, as the run's losses would have grown past it.
 */
import type { ChunkStats } from './engine/types.js';
import { LOSS_CAP, LOSS_TAIL } from './engine/records.js';

export interface Trainability {
  readonly trainable: boolean;
  /** −Σ v if trainable, Σ 1/v if not. */
  readonly score: number;
}

const FLOOR = Math.fround(1 / LOSS_CAP);

/** v = loss / first loss, held in [10⁻⁶, 10⁶]; not a number (0/0, ∞/∞) is the cap. */
export function normalisedLoss(loss: number, first: number): number {
  const v = Math.fround(loss / first);
  return !(v <= LOSS_CAP) ? LOSS_CAP : v < FLOOR ? FLOOR : v;
}

/**
 * The criterion from a run's losses as they are: the definition, for tests
 * and for a single run (a trace). Sums in float64; the engines' float32 sums
 * agree with it to float32 rounding.
 */
export function trainabilityOfLosses(losses: ArrayLike<number>): Trainability {
  const K = losses.length;
  if (K === 0) throw new RangeError('trainabilityOfLosses: no losses');
  let sum = 0;
  let inverse = 0;
  let tail = 0;
  const tailFrom = K - Math.min(LOSS_TAIL, K);
  for (let k = 0; k < K; k++) {
    const v = normalisedLoss(losses[k]!, losses[0]!);
    sum += v;
    inverse += 1 / v;
    if (k >= tailFrom) tail += v;
  }
  const trainable = tail / (K - tailFrom) < 1;
  return { trainable, score: trainable ? -sum : inverse };
}

/** How many of the K iterates a run's loss record covers: up to its escape step. */
function liveIterates(escapeStep: number, steps: number): number {
  return escapeStep < 0 ? steps : Math.min(escapeStep, steps);
}

/**
 * The criterion for every trajectory of a chunk with the loss record: 1 in
 * `trainable` where it holds, and the score (as float32, like the other statistics).
 */
export function trainabilityOf(stats: ChunkStats, steps: number): { trainable: Uint8Array; score: Float32Array } {
  const { count, escapeStep } = stats;
  const { lossSum, lossInvSum, lossTail } = requireLossRecord(stats);
  const trainable = new Uint8Array(count);
  const score = new Float32Array(count);
  const tailCount = Math.min(LOSS_TAIL, steps);
  for (let i = 0; i < count; i++) {
    const dead = steps - liveIterates(escapeStep[i]!, steps);
    const tailMean = (lossTail[i]! + Math.min(dead, tailCount) * LOSS_CAP) / tailCount;
    if (tailMean < 1) {
      trainable[i] = 1;
      score[i] = -(lossSum[i]! + dead * LOSS_CAP);
    } else {
      score[i] = lossInvSum[i]! + dead / LOSS_CAP;
    }
  }
  return { trainable, score };
}

function requireLossRecord(stats: ChunkStats) {
  const { loss0, lossSum, lossInvSum, lossTail, lossA, lossB, lossRise } = stats;
  if (!loss0 || !lossSum || !lossInvSum || !lossTail || !lossA || !lossB || !lossRise) {
    throw new Error('these statistics have no loss record: the spec needs trainability');
  }
  return { loss0, lossSum, lossInvSum, lossTail, lossA, lossB, lossRise };
}
