/**
 * Kernel autotuning: which shape of kernel runs fastest on an adapter.
 *
 * On lavapipe one invocation is one SIMD lane of a CPU core, so several
 * trajectories per invocation hide the latency of the update chain (eight
 * means two vectors of four, stepped side by side); a real GPU may prefer one. The tuner times a short, mixed sweep with each
 * candidate and keeps the fastest; callers cache the choice per adapter.
 */
import { gridSize, parseSpec, type SpecInput } from '../experiment/index.js';
import { throwIfAborted } from '../errors.js';
import { describeAdapter, type GpuEngine } from './gpu.js';
import { KERNEL_SOURCES } from './kernel.js';
import type { KernelOptions } from './kernel-options.js';

export { parseKernelOption } from './kernel-options.js';

export const TUNING_CANDIDATES: readonly KernelOptions[] = [1, 2, 4, 8].flatMap((lanes) =>
  [64, 256].map((workgroupSize) => ({ lanes: lanes as 1 | 2 | 4 | 8, workgroupSize, fastBlock: 256 })),
);

/** A mix of regimes (converged, stalled, diverged) under a per-trajectory exponential decay. */
const TUNING_SPEC = { lr: '0.05:3:256', decayRate: '0.8:1:256', schedule: 'exponential', decaySteps: 1, steps: 400 } as const;

/** FNV-1a over the kernel's sources: a changed kernel is tuned afresh. */
function kernelHash(): string {
  let h = 0x811c9dc5;
  for (const source of KERNEL_SOURCES) {
    for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
  }
  return (h >>> 0).toString(16);
}

/** What a tuned shape is remembered by: the adapter and the kernel's source. */
export function adapterKey(engine: GpuEngine): string {
  const a = describeAdapter(engine.adapter);
  return `${a.vendor}|${a.architecture}|${a.name}|kernel ${kernelHash()}`;
}

export interface TuningOptions {
  /** The sweep timed (TUNING_SPEC unless given). */
  readonly spec?: SpecInput;
  /** Runs per candidate: the first warms up (compiles), the best of the others counts (4 unless given). */
  readonly runs?: number;
  /** Stops the tuning; the engine keeps the shape it had. */
  readonly signal?: AbortSignal;
}

export interface TuningResult {
  readonly best: KernelOptions;
  /** Million trajectory-steps per second of each candidate. */
  readonly measured: ReadonlyArray<{ readonly kernel: KernelOptions; readonly mSteps: number }>;
}

/**
 * Times each candidate on the engine's device (a warm-up run, then the best of the others).
 * Leaves the chosen one set; if stopped, leaves the shape the engine had.
 */
export async function tuneKernel(engine: GpuEngine, candidates: readonly KernelOptions[] = TUNING_CANDIDATES, options: TuningOptions = {}): Promise<TuningResult> {
  const spec = parseSpec(options.spec ?? TUNING_SPEC);
  const steps = gridSize(spec) * spec.base.steps;
  const runs = Math.max(2, options.runs ?? 4);
  const before = engine.kernel;
  const measured: Array<{ kernel: KernelOptions; mSteps: number }> = [];
  try {
    for (const kernel of candidates) {
      engine.setKernel(kernel);
      let best = Infinity;
      for (let run = 0; run < runs; run++) {
        throwIfAborted(options.signal);
        const started = performance.now();
        for await (const _chunk of engine.run(spec, { signal: options.signal })) {
          // only the time matters
        }
        if (run > 0) best = Math.min(best, performance.now() - started);
      }
      measured.push({ kernel, mSteps: steps / best / 1e3 });
    }
  } catch (e) {
    engine.setKernel(before);
    throw e;
  }
  // Wider kernels compile slower (eight lanes take about 2.5 s cold on lavapipe,
  // four about 1 s): take the narrowest shape within 10 % of the fastest.
  const top = Math.max(...measured.map((m) => m.mSteps));
  const chosen = [...measured].sort((a, b) => a.kernel.lanes - b.kernel.lanes || b.mSteps - a.mSteps).find((m) => m.mSteps >= 0.9 * top)!;
  engine.setKernel(chosen.kernel);
  return { best: chosen.kernel, measured };
}
