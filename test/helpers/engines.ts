/**
 * Engines for tests, and the one way GPU tests are gated. The GPU engine is
 * the product: under CI=true (or LRSCOPE_REQUIRE_GPU=1) a missing adapter
 * fails the test file. Elsewhere each test that needs it is reported as
 * skipped, with the reason printed once.
 */
import { describe, it } from 'vitest';
import { CpuEngine } from '../../src/engine/cpu';
import type { GpuEngine } from '../../src/engine/gpu';
import type { Engine } from '../../src/engine/types';
import { createNodeGpuEngine } from '../../src/node/gpu';
import type { KernelOptions } from '../../src/engine/kernel';

export const gpuRequired = process.env.CI === 'true' || process.env.CI === '1' || process.env.LRSCOPE_REQUIRE_GPU === '1';

let noted = false;

/** A GPU engine, or undefined (with a note) where none is available and none is required. */
export async function gpuEngine(kernel?: Partial<KernelOptions>): Promise<GpuEngine | undefined> {
  try {
    return await createNodeGpuEngine(kernel ? { kernel } : {});
  } catch (e) {
    if (gpuRequired) throw new Error(`WebGPU is required here (CI=true) but unavailable: ${(e as Error).message}`);
    if (!noted) console.warn(`GPU tests skipped: ${(e as Error).message.split('\n')[0]}`);
    noted = true;
    return undefined;
  }
}

/** `it` for a test that needs the GPU: run, or reported as skipped where there is none. */
export function itGpu(gpu: Engine | undefined) {
  return it.skipIf(!gpu);
}

/** `describe` for tests that need the GPU: run, or reported as skipped where there is none. */
export function describeGpu(gpu: Engine | undefined) {
  return describe.skipIf(!gpu);
}

export type EngineName = 'cpu' | 'gpu';

/**
 * Defines the same tests on both engines: a describe block per engine, the
 * GPU's reported as skipped where there is none (and the file failed under CI).
 */
export function describeEngines(gpu: Engine | undefined, title: string, body: (engine: Engine, name: EngineName) => void): void {
  describe(`${title} (cpu)`, () => body(new CpuEngine(), 'cpu'));
  describeGpu(gpu)(`${title} (gpu)`, () => body(gpu!, 'gpu'));
}

/** One test on both engines: `title (cpu)` and `title (gpu)`, the latter skipped visibly without a GPU. */
export function itEngines(gpu: Engine | undefined, title: string, test: (engine: Engine, name: EngineName) => Promise<void> | void, timeout?: number): void {
  it(`${title} (cpu)`, () => test(new CpuEngine(), 'cpu'), timeout);
  itGpu(gpu)(`${title} (gpu)`, () => test(gpu!, 'gpu'), timeout);
}
