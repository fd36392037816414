/**
 * The kernel shape tuned for this machine's adapter, cached on disk
 * ($XDG_CACHE_HOME/lrscope or ~/.cache/lrscope), so only the first sweep on
 * an adapter pays for tuning.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeAdapter, type GpuEngine } from '../engine/gpu.js';
import { KERNEL_SOURCES, type KernelOptions } from '../engine/kernel.js';
import { tuneKernel, type TuningResult } from '../engine/tune.js';

function cacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'lrscope', 'kernel-tuning.json');
}

/** FNV-1a over the kernel's sources: a changed kernel is tuned afresh. */
function kernelHash(): string {
  let h = 0x811c9dc5;
  for (const source of KERNEL_SOURCES) {
    for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
  }
  return (h >>> 0).toString(16);
}

export function adapterKey(engine: GpuEngine): string {
  const a = describeAdapter(engine.adapter);
  return `${a.vendor}|${a.architecture}|${a.name}|kernel ${kernelHash()}`;
}

type Cache = Record<string, { kernel: KernelOptions; measured: TuningResult['measured']; date: string }>;

function readCache(): Cache {
  try {
    return JSON.parse(readFileSync(cacheFile(), 'utf8')) as Cache;
  } catch {
    return {};
  }
}

/** The cached choice for this adapter, if any. */
export function cachedKernel(engine: GpuEngine): Cache[string] | undefined {
  return readCache()[adapterKey(engine)];
}

/**
 * Sets the engine's kernel to the tuned shape: from the cache, or by tuning
 * now (about a second or two) and caching the result.
 */
export async function applyTunedKernel(engine: GpuEngine, options: { retune?: boolean } = {}): Promise<{ kernel: KernelOptions; tuned: TuningResult | undefined }> {
  const key = adapterKey(engine);
  const cache = readCache();
  const hit = cache[key];
  if (hit && !options.retune) {
    engine.setKernel(hit.kernel);
    return { kernel: hit.kernel, tuned: undefined };
  }
  const tuned = await tuneKernel(engine);
  cache[key] = { kernel: tuned.best, measured: tuned.measured, date: new Date().toISOString() };
  try {
    const file = cacheFile();
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(cache, null, 2));
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // An unwritable cache only means tuning again next time.
  }
  return { kernel: tuned.best, tuned };
}
