/**
 * The kernel shape tuned for this machine's adapter, cached on disk
 * ($XDG_CACHE_HOME/lrscope or ~/.cache/lrscope), so only the first sweep on
 * an adapter pays for tuning.
 *
 * The cache is checked when read: a file that is not what lrscope writes, or
 * an entry whose shape this adapter cannot run, is ignored with a one-line
 * note, tuned again and rewritten. Nothing in it can change results or hang
 * the engine (the engine checks every shape it is given as well).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { GpuEngine } from '../engine/gpu.js';
import type { KernelOptions } from '../engine/kernel.js';
import { kernelProblem, KERNEL_LANES } from '../engine/kernel-options.js';
import { adapterKey, tuneKernel, type TuningResult } from '../engine/tune.js';

export { adapterKey };

export function tuningCacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'lrscope', 'kernel-tuning.json');
}

const kernelSchema = z.strictObject({
  lanes: z.union(KERNEL_LANES.map((n) => z.literal(n)) as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<4>, z.ZodLiteral<8>]),
  workgroupSize: z.number().int(),
  fastBlock: z.number().int(),
});
const entrySchema = z.object({
  kernel: kernelSchema,
  measured: z.array(z.object({ kernel: kernelSchema, mSteps: z.number() })),
  date: z.string(),
});
type Entry = z.infer<typeof entrySchema>;
type Cache = Record<string, Entry>;

/** Where the cache stands: its valid entries, and what was wrong with it, if anything. */
interface CacheRead {
  readonly entries: Cache;
  readonly problem?: string;
}

function readCache(): CacheRead {
  let text: string;
  try {
    text = readFileSync(tuningCacheFile(), 'utf8');
  } catch {
    return { entries: {} }; // no cache yet
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { entries: {}, problem: 'it is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { entries: {}, problem: 'it does not hold an object of adapters' };
  const entries: Cache = {};
  let bad = 0;
  for (const [key, entry] of Object.entries(value)) {
    const parsed = entrySchema.safeParse(entry);
    if (parsed.success) entries[key] = parsed.data;
    else bad++;
  }
  return bad ? { entries, problem: `${bad} entr${bad === 1 ? 'y is' : 'ies are'} not a kernel shape` } : { entries };
}

/** A note a command prints on stderr, one line. */
export type Note = (line: string) => void;

/** What is wrong with the cache file, if anything (doctor reports it). */
export function tuningCacheProblem(): string | undefined {
  return readCache().problem;
}

/** The cached choice for this adapter, if any, and usable on it. */
export function cachedKernel(engine: GpuEngine): Entry | undefined {
  const hit = readCache().entries[adapterKey(engine)];
  return hit && !kernelProblem(hit.kernel, engine.device.limits) ? hit : undefined;
}

/**
 * Sets the engine's kernel to the tuned shape: from the cache, or by tuning
 * now (about a second or two) and caching the result. A cache that cannot be
 * used is noted, tuned again and rewritten.
 */
export async function applyTunedKernel(engine: GpuEngine, options: { retune?: boolean; note?: Note } = {}): Promise<{ kernel: KernelOptions; tuned: TuningResult | undefined }> {
  const key = adapterKey(engine);
  const { entries, problem } = readCache();
  const hit = entries[key];
  const unusable = hit && kernelProblem(hit.kernel, engine.device.limits);
  const file = tuningCacheFile();
  if (problem) options.note?.(`lrscope: ignoring the kernel-tuning cache ${file} (${problem}); tuning again and rewriting it`);
  else if (unusable) options.note?.(`lrscope: ignoring this adapter's entry in ${file} (${unusable}); tuning again and rewriting it`);
  if (hit && !unusable && !options.retune) {
    engine.setKernel(hit.kernel);
    return { kernel: hit.kernel, tuned: undefined };
  }
  const tuned = await tuneKernel(engine);
  entries[key] = { kernel: tuned.best, measured: tuned.measured.map((m) => ({ kernel: m.kernel, mSteps: m.mSteps })), date: new Date().toISOString() };
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(entries, null, 2));
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // An unwritable cache only means tuning again next time.
  }
  return { kernel: tuned.best, tuned };
}
