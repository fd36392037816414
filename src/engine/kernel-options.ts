/**
 * The kernel's shape: how many trajectories an invocation steps, how many
 * invocations a workgroup holds, and how many steps run between escape
 * checks. Every shape that reaches a device is checked here first, whether it
 * comes from a flag, the tuning cache or a caller, so none can change results
 * or hang the kernel.
 */

export interface KernelOptions {
  /** Trajectories per invocation: 1, 2 or 4 (one vector), or 8 (two vectors stepped side by side). */
  readonly lanes: 1 | 2 | 4 | 8;
  /** Invocations per workgroup. */
  readonly workgroupSize: number;
  /** Steps between escape checks in the fast loop. */
  readonly fastBlock: number;
}

export const DEFAULT_KERNEL_OPTIONS: KernelOptions = { lanes: 4, workgroupSize: 64, fastBlock: 256 };

export const KERNEL_LANES = [1, 2, 4, 8] as const;
/** The longest fast block (a block is replayed step by step when a lane escapes in it). */
export const MAX_FAST_BLOCK = 65536;

/** The device limits a workgroup must respect. */
export interface WorkgroupLimits {
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
}

/** What is wrong with a kernel shape, or undefined when the device can run it. */
export function kernelProblem(options: KernelOptions, limits?: WorkgroupLimits): string | undefined {
  const { lanes, workgroupSize, fastBlock } = options as { lanes: unknown; workgroupSize: unknown; fastBlock: unknown };
  if (!(KERNEL_LANES as readonly unknown[]).includes(lanes)) return `lanes ${String(lanes)} is not 1, 2, 4 or 8`;
  const maxWorkgroup = limits ? Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX) : 256;
  if (!Number.isInteger(workgroupSize) || (workgroupSize as number) < 1 || (workgroupSize as number) > maxWorkgroup) {
    return `workgroup ${String(workgroupSize)} is not a whole number from 1 to ${maxWorkgroup}`;
  }
  if (!Number.isInteger(fastBlock) || (fastBlock as number) < 1 || (fastBlock as number) > MAX_FAST_BLOCK) {
    return `block ${String(fastBlock)} is not a whole number from 1 to ${MAX_FAST_BLOCK}`;
  }
  return undefined;
}

/** The shape itself, or a RangeError saying what the device cannot run. */
export function checkKernelOptions(options: KernelOptions, limits?: WorkgroupLimits): KernelOptions {
  const problem = kernelProblem(options, limits);
  if (problem) throw new RangeError(`kernel shape: ${problem}`);
  return { lanes: options.lanes, workgroupSize: options.workgroupSize, fastBlock: options.fastBlock };
}

/** `lanes=4,workgroup=64,block=256` → kernel options (fields left out keep their defaults); throws on anything else. */
export function parseKernelOption(text: string): Partial<KernelOptions> {
  const out: { lanes?: 1 | 2 | 4 | 8; workgroupSize?: number; fastBlock?: number } = {};
  for (const part of text.split(',')) {
    const [key, value, extra] = part.split('=').map((s) => s.trim());
    const n = /^\d+$/.test(value ?? '') ? Number(value) : NaN;
    if (extra !== undefined) throw new Error(part);
    if (key === 'lanes' && (KERNEL_LANES as readonly number[]).includes(n)) out.lanes = n as 1 | 2 | 4 | 8;
    else if (key === 'workgroup' && n >= 1 && n <= 256) out.workgroupSize = n;
    else if (key === 'block' && n >= 1 && n <= MAX_FAST_BLOCK) out.fastBlock = n;
    else throw new Error(part);
  }
  return out;
}
