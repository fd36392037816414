/**
 * Kernel autotuning: which shape of kernel runs fastest on an adapter.
 *
 * On lavapipe one invocation is one SIMD lane of a CPU core, so several
 * trajectories per invocation hide the latency of the update chain (eight
 * means two vectors of four, stepped side by side); a real GPU may prefer one. The tuner times a short, mixed sweep with each
 * candidate and keeps the fastest; callers cache the choice per adapter.
 */
import { parseSpec } from '../experiment/index.js';
import type { GpuEngine } from './gpu.js';
import type { KernelOptions } from './kernel-options.js';

export { parseKernelOption } from './kernel-options.js';

export const TUNING_CANDIDATES: readonly KernelOptions[] = [1, 2, 4, 8].flatMap((lanes) =>
  [64, 256].map((workgroupSize) => ({ lanes: lanes as 1 | 2 | 4 | 8, workgroupSize, fastBlock: 256 })),
);

/** A mix of regimes (converged, stalled, diverged) under a per-trajectory exponential decay. */
const TUNING_SPEC = { lr: '0.05:3:256', decayRate: '0.8:1:256', schedule: 'exponential', decaySteps: 1, steps: 400 } as const;

export interface TuningResult {
  readonly best: KernelOptions;
  /** Million trajectory-steps per second of each candidate. */
  readonly measured: ReadonlyArray<{ readonly kernel: KernelOptions; readonly mSteps: number }>;
}

/** Times each candidate on the engine's device (a warm-up run, then the best of three). Leaves the chosen one set. */
export async function tuneKernel(engine: GpuEngine, candidates: readonly KernelOptions[] = TUNING_CANDIDATES): Promise<TuningResult> {
  const spec = parseSpec(TUNING_SPEC);
  const steps = 256 * 256 * TUNING_SPEC.steps;
  const measured: Array<{ kernel: KernelOptions; mSteps: number }> = [];
  for (const kernel of candidates) {
    engine.setKernel(kernel);
    let best = Infinity;
    for (let run = 0; run < 4; run++) {
      const started = performance.now();
      for await (const _chunk of engine.run(spec)) {
        // only the time matters
      }
      if (run > 0) best = Math.min(best, performance.now() - started);
    }
    measured.push({ kernel, mSteps: steps / best / 1e3 });
  }
  // Wider kernels compile slower (eight lanes take about 2.5 s cold on lavapipe,
  // four about 1 s): take the narrowest shape within 10 % of the fastest.
  const top = Math.max(...measured.map((m) => m.mSteps));
  const chosen = [...measured].sort((a, b) => a.kernel.lanes - b.kernel.lanes || b.mSteps - a.mSteps).find((m) => m.mSteps >= 0.9 * top)!;
  engine.setKernel(chosen.kernel);
  return { best: chosen.kernel, measured };
}
