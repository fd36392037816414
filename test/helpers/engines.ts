/**
 * Engines for tests. The GPU engine is the product: under CI=true (or
 * LRSCOPE_REQUIRE_GPU=1) a missing adapter fails the test file instead of
 * skipping it. Elsewhere GPU tests are skipped with the reason printed.
 */
import { CpuEngine } from '../../src/engine/cpu';
import type { GpuEngine } from '../../src/engine/gpu';
import type { Engine } from '../../src/engine/types';
import { createNodeGpuEngine } from '../../src/node/gpu';
import type { KernelOptions } from '../../src/engine/kernel';

export const gpuRequired = process.env.CI === 'true' || process.env.CI === '1' || process.env.LRSCOPE_REQUIRE_GPU === '1';

/** A GPU engine, or undefined (with a note) where none is available and none is required. */
export async function gpuEngine(kernel?: Partial<KernelOptions>): Promise<GpuEngine | undefined> {
  try {
    return await createNodeGpuEngine(kernel ? { kernel } : {});
  } catch (e) {
    if (gpuRequired) throw new Error(`WebGPU is required here (CI=true) but unavailable: ${(e as Error).message}`);
    console.warn(`GPU tests skipped: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/** The engines to run a test on: the CPU reference, and the GPU engine when there is one. */
export function enginesOf(gpu: Engine | undefined): Array<[string, Engine]> {
  const list: Array<[string, Engine]> = [['cpu', new CpuEngine()]];
  if (gpu) list.push(['gpu', gpu]);
  return list;
}
