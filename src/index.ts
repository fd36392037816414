/**
 * lrscope's library API (Node). Browser code imports src/core.ts, which is
 * the same without the Node-only pieces (Dawn, files, PNG).
 *
 * ```ts
 * import { parseSpec, createEngine, sweep } from 'lrscope';
 * const spec = parseSpec({ lr: '0.01:1.5:256', curvature: '0.5:4:256', steps: 500 });
 * const engine = await createEngine('gpu');
 * for await (const chunk of sweep(spec, engine)) { ... }
 * engine.dispose();
 * ```
 */
export * from './core.js';
export { createNodeGpuEngine, nodeGpu, INSTALL_HINT } from './node/gpu.js';
export { renderMapPng } from './node/png.js';
export { renderBifurcationPng } from './node/bifurcation-png.js';
export { AtomicFile, openOutput, OutputPathError, type OutputFile } from './node/files.js';
export { applyTunedKernel, cachedKernel } from './node/tuning.js';
export { tuneKernel, TUNING_CANDIDATES } from './engine/tune.js';

import { CpuEngine } from './engine/cpu.js';
import { SpecError } from './errors.js';
import type { Engine } from './engine/types.js';
import { createNodeGpuEngine } from './node/gpu.js';

/** The GPU engine (WebGPU through Dawn) or the float32 CPU reference. */
export async function createEngine(kind: 'gpu' | 'cpu' = 'gpu'): Promise<Engine> {
  if (kind !== 'gpu' && kind !== 'cpu') throw new SpecError('engine', `"${String(kind)}" is not an engine`, 'gpu or cpu');
  return kind === 'cpu' ? new CpuEngine() : createNodeGpuEngine();
}
