/**
 * Which engine the page runs on: the WebGPU engine on `navigator.gpu`, or,
 * where there is none, the CPU reference engine in a Web Worker behind the
 * same Engine interface.
 */
import {
  CancelledError,
  describeAdapter,
  GpuEngine,
  gridSize,
  parseSpec,
  runRange,
  type ChunkStats,
  type Engine,
  type Progress,
  type RunOptions,
  type Spec,
  type SpecInput,
  type Trace,
} from '../src/core';
import { adapterKey, tuneKernel, type TuningResult } from '../src/engine/tune';
import type { KernelOptions } from '../src/engine/kernel-options';

export type WorkerRequest =
  | { id: number; type: 'run'; input: SpecInput; chunkSize: number; range: { start: number; count: number } }
  | { id: number; type: 'trace'; input: SpecInput; indices: number[] }
  | { id: number; type: 'cancel' };

export type WorkerResponse =
  | { id: number; type: 'chunk'; chunk: ChunkStats }
  | { id: number; type: 'progress'; progress: Progress }
  | { id: number; type: 'end' }
  | { id: number; type: 'traces'; traces: Trace[] }
  | { id: number; type: 'error'; message: string; cancelled: boolean };

/**
 * The CPU engine in a pool of Web Workers: the grid is cut into chunks, each
 * worker computes one chunk at a time, and chunks are handed on in grid order.
 */
export class WorkerEngine implements Engine {
  readonly kind = 'cpu' as const;
  readonly description: string;
  private readonly workers: Worker[];
  get workerCount(): number {
    return this.workers.length;
  }
  private nextId = 1;
  private readonly handlers = new Map<number, (message: WorkerResponse) => void>();

  constructor(count = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8))) {
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.handlers.get(event.data.id)?.(event.data);
      return worker;
    });
    this.description = `CPU reference in ${count} Web Worker${count === 1 ? '' : 's'}`;
  }

  async *run(spec: Spec, options: RunOptions = {}): AsyncIterable<ChunkStats> {
    const { begin, end } = runRange(gridSize(spec), options.range);
    const chunk = Math.max(1, options.chunkSize ?? 4096);
    const ranges: Array<{ start: number; count: number }> = [];
    for (let start = begin; start < end; start += chunk) ranges.push({ start, count: Math.min(chunk, end - start) });
    const steps = spec.base.steps;
    const doneByRange = new Float64Array(ranges.length);
    const results = new Map<number, ChunkStats>();
    const active = new Map<number, Worker>();
    let assigned = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => wake?.();

    const assign = (worker: Worker) => {
      // Stay at most two chunks per worker ahead of the consumer.
      if (assigned >= ranges.length || assigned - yielded >= 2 * this.workers.length || failure || options.signal?.aborted) return;
      const index = assigned++;
      const id = this.nextId++;
      active.set(id, worker);
      this.handlers.set(id, (message) => {
        if (message.type === 'progress') {
          doneByRange[index] = message.progress.done;
          let done = 0;
          for (const d of doneByRange) done += d;
          options.onProgress?.({ done, total: (end - begin) * steps });
        } else if (message.type === 'chunk') {
          results.set(index, message.chunk);
        } else {
          this.handlers.delete(id);
          active.delete(id);
          if (message.type === 'error') failure = message.cancelled ? new CancelledError() : new Error(message.message);
          else assign(worker);
        }
        notify();
      });
      worker.postMessage({ id, type: 'run', input: spec.input, chunkSize: ranges[index]!.count, range: ranges[index]! } satisfies WorkerRequest);
    };

    const cancel = () => {
      for (const [id, worker] of active) worker.postMessage({ id, type: 'cancel' } satisfies WorkerRequest);
      failure ??= new CancelledError();
      notify();
    };
    options.signal?.addEventListener('abort', cancel, { once: true });
    let yielded = 0;
    try {
      for (const worker of this.workers) assign(worker);
      while (yielded < ranges.length) {
        while (!results.has(yielded) && !failure) await new Promise<void>((resolve) => (wake = resolve));
        if (failure) throw failure;
        const next = results.get(yielded)!;
        results.delete(yielded);
        yielded++;
        for (const worker of this.workers) if (![...active.values()].includes(worker)) assign(worker);
        yield next;
      }
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      if (yielded < ranges.length) cancel();
    }
  }

  trace(spec: Spec, indices: readonly number[]): Promise<Trace[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.handlers.set(id, (message) => {
        this.handlers.delete(id);
        if (message.type === 'traces') resolve(message.traces);
        else if (message.type === 'error') reject(new Error(message.message));
      });
      this.workers[0]!.postMessage({ id, type: 'trace', input: spec.input, indices: [...indices] } satisfies WorkerRequest);
    });
  }

  dispose(): void {
    for (const worker of this.workers) worker.terminate();
  }
}

export interface PageEngine {
  readonly engine: Engine;
  readonly kind: 'gpu' | 'cpu';
  /** What runs it: the adapter's name, or the worker. */
  readonly adapter: string;
  /** Why WebGPU is not in use, when it was wanted and is missing. */
  readonly missing?: 'missing' | 'adapter' | 'insecure';
  /** How `auto` chose between the engines, where WebGPU found an adapter. */
  readonly auto?: Calibration;
}

/**
 * What `auto` measured: each engine's estimated time for the page's first
 * map (see `calibrationFor`), and the faster one.
 */
export interface Calibration {
  readonly choice: 'gpu' | 'cpu';
  /** Estimated milliseconds of the first default map, the GPU's kernel compile included; for WebGPU a lower bound where it ran out of time. */
  readonly gpuMs: number;
  readonly cpuMs: number;
  /** Whether this load measured them, or took them from an earlier visit. */
  readonly measured: boolean;
}

let gpuEngine: Promise<GpuEngine | { missing: 'missing' | 'adapter' | 'insecure' }> | undefined;

/** The WebGPU engine once per page (or why there is none). */
function webgpu() {
  gpuEngine ??= (async () => {
    if (!('gpu' in navigator) || !navigator.gpu) return { missing: window.isSecureContext ? ('missing' as const) : ('insecure' as const) };
    try {
      const engine = await GpuEngine.create(navigator.gpu);
      applyRememberedShape(engine);
      return engine;
    } catch {
      return { missing: 'adapter' as const };
    }
  })();
  return gpuEngine;
}

let workerEngine: WorkerEngine | undefined;

/**
 * `auto`: the faster engine on this adapter, measured once and remembered;
 * `gpu` or `cpu` force one (`gpu` falls back to the CPU where WebGPU is missing).
 * `remeasure` measures again even where a choice is remembered.
 */
export async function pickEngine(choice: 'auto' | 'gpu' | 'cpu', options: { remeasure?: boolean } = {}): Promise<PageEngine> {
  const gpu = choice === 'cpu' ? undefined : await webgpu();
  workerEngine ??= choice === 'gpu' && gpu instanceof GpuEngine ? undefined : new WorkerEngine();
  if (gpu instanceof GpuEngine) {
    const info = describeAdapter(gpu.adapter);
    const onGpu = { engine: gpu, kind: 'gpu' as const, adapter: `${info.name}${info.isFallbackAdapter ? ' (software)' : ''}` };
    if (choice === 'gpu') return onGpu;
    const auto = await calibrationFor(gpu, workerEngine!, options.remeasure ?? false);
    return auto.choice === 'gpu' ? { ...onGpu, auto } : { engine: workerEngine!, kind: 'cpu', adapter: workerEngine!.description, auto };
  }
  return { engine: workerEngine!, kind: 'cpu', adapter: workerEngine!.description, ...(gpu ? { missing: gpu.missing } : {}) };
}

/** Whether WebGPU works here (without creating the CPU worker). */
export async function webgpuAvailable(): Promise<boolean> {
  return (await webgpu()) instanceof GpuEngine;
}

/**
 * localStorage key of the remembered choice: the adapter as WebGPU describes
 * it, and the number of workers the CPU engine runs in.
 */
export function calibrationKey(gpu: GpuEngine, cpu: WorkerEngine): string {
  const info = describeAdapter(gpu.adapter);
  const adapter = [info.vendor, info.architecture, info.description || info.name, info.isFallbackAdapter ? 'fallback' : ''].join('|');
  return `lrscope.engine-choice:${adapter}|${cpu.workerCount} workers`;
}

/**
 * The calibration: the page's default map (GD on the quadratic) at 128 × 64
 * = 8192 trajectories × 200 steps, in the chunks the map uses.
 */
export const CALIBRATION_SPEC = { lr: '0.01:1.5:128', curvature: '0.25:4:64', steps: '200' } as const;
/** Trajectory steps of the first default map on a WebGPU page: a 128² coarse pass and 512² × 200 steps. */
const FIRST_MAP_STEPS = (128 * 128 + 512 * 512) * 200;

/**
 * Times the engines and picks the one that would draw the first map sooner.
 * Each engine runs the calibration grid twice: the first run pays what a
 * page pays once (the workers' start, the GPU's kernel compile, which the map
 * then takes from the engine's cache), the second gives the throughput. The
 * estimate is that one-off cost plus the first map's steps at that
 * throughput. The CPU goes first; the GPU gets the CPU's estimate as its
 * deadline: a GPU still busy then (a software adapter compiling for seconds)
 * cannot draw the map sooner, so the CPU wins and the GPU's figure is the
 * time it had taken (a lower bound). The calibration thus never costs more
 * than the CPU's first map.
 */
async function calibrationFor(gpu: GpuEngine, cpu: WorkerEngine, remeasure: boolean): Promise<Calibration> {
  const key = calibrationKey(gpu, cpu);
  if (!remeasure) {
    try {
      const stored = JSON.parse(localStorage.getItem(key) ?? 'null') as { choice?: unknown; gpuMs?: unknown; cpuMs?: unknown } | null;
      if (stored && (stored.choice === 'gpu' || stored.choice === 'cpu') && typeof stored.gpuMs === 'number' && typeof stored.cpuMs === 'number') {
        return { choice: stored.choice, gpuMs: stored.gpuMs, cpuMs: stored.cpuMs, measured: false };
      }
    } catch {
      // An unreadable entry (or storage turned off) is measured again.
    }
  }
  const spec = parseSpec({ ...CALIBRATION_SPEC });
  const steps = gridSize(spec) * spec.base.steps;
  const cpuMs = estimate(await timeRuns(cpu, spec, 4096), steps);
  const gpuFirst = timeRuns(gpu, spec, 65536);
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), cpuMs)));
  const gpuTimes = await Promise.race([gpuFirst, deadline]);
  clearTimeout(timer);
  // Late: at least the CPU's estimate, and a little more (a timer fires no sooner than asked).
  const gpuMs = gpuTimes === 'late' ? Math.max(performance.now() - started, cpuMs + 1) : estimate(gpuTimes, steps);
  const result: Calibration = { choice: gpuMs < cpuMs ? 'gpu' : 'cpu', gpuMs, cpuMs, measured: true };
  try {
    localStorage.setItem(key, JSON.stringify({ choice: result.choice, gpuMs, cpuMs }));
  } catch {
    // Without storage the next visit measures again.
  }
  return result;
}

/** Milliseconds of a first (cold) and a second (warm) run of a spec. */
async function timeRuns(engine: Engine, spec: Spec, chunkSize: number): Promise<{ cold: number; warm: number }> {
  const runOnce = async () => {
    const started = performance.now();
    for await (const _ of engine.run(spec, { chunkSize })) void _;
    return performance.now() - started;
  };
  const cold = await runOnce();
  return { cold, warm: Math.max(await runOnce(), 0.1) };
}

/** The first map's estimated milliseconds: the one-off cost plus its steps at the warm throughput. */
function estimate(times: { cold: number; warm: number }, steps: number): number {
  return Math.max(0, times.cold - times.warm) + (FIRST_MAP_STEPS / steps) * times.warm;
}

// ---------------------------------------------------------------- the kernel's shape

/**
 * The GPU kernel's shape (trajectories per invocation, workgroup size) and
 * where it came from: the engine's default, a shape tuned on an earlier visit
 * (remembered per adapter and kernel source, as the command line caches it),
 * or one tuned in this visit.
 */
export interface KernelShape {
  readonly kernel: KernelOptions;
  readonly source: 'default' | 'remembered' | 'tuned' | 'tuning';
}

let shapeSource: KernelShape['source'] = 'default';

export function kernelShape(gpu: GpuEngine): KernelShape {
  return { kernel: gpu.kernel, source: shapeSource };
}

/**
 * The page tunes fewer shapes on a smaller sweep than the command line (one,
 * two or four trajectories per invocation, workgroups of 64, on 128² × 200
 * steps), so that even a software adapter gets through it in seconds.
 */
export const PAGE_TUNING_CANDIDATES: readonly KernelOptions[] = ([1, 2, 4] as const).map((lanes) => ({ lanes, workgroupSize: 64, fastBlock: 256 }));
const PAGE_TUNING_SPEC = { lr: '0.05:3:128', decayRate: '0.8:1:128', schedule: 'exponential', decaySteps: '1', steps: '200' } as const;

function shapeKey(gpu: GpuEngine): string {
  return `lrscope.kernel-shape:${adapterKey(gpu)}`;
}

/** Sets the shape remembered for this adapter, if there is one the adapter can run. */
function applyRememberedShape(gpu: GpuEngine): void {
  try {
    const stored = JSON.parse(localStorage.getItem(shapeKey(gpu)) ?? 'null') as Partial<KernelOptions> | null;
    if (!stored) return;
    // setKernel refuses a shape the device cannot run (or that is not a shape at all).
    gpu.setKernel({ lanes: stored.lanes, workgroupSize: stored.workgroupSize, fastBlock: stored.fastBlock } as KernelOptions);
    shapeSource = 'remembered';
  } catch {
    // Unreadable or refused: the default stays, and the page tunes again.
  }
}

/** Whether the page should tune the kernel when it is idle: on WebGPU, once per adapter and kernel source. */
export function shouldTune(): boolean {
  return shapeSource === 'default';
}

/**
 * Times the candidate shapes and keeps the fastest (the narrowest within
 * 10 %), remembered for later visits. `signal` stops it (new work to do); the
 * engine then keeps the shape it had, and a later idle moment starts over.
 */
export async function tunePageKernel(gpu: GpuEngine, signal: AbortSignal): Promise<TuningResult> {
  shapeSource = 'tuning';
  try {
    const result = await tuneKernel(gpu, PAGE_TUNING_CANDIDATES, { spec: { ...PAGE_TUNING_SPEC }, runs: 3, signal });
    shapeSource = 'tuned';
    try {
      localStorage.setItem(shapeKey(gpu), JSON.stringify({ ...result.best, measured: result.measured }));
    } catch {
      // Without storage the next visit tunes again.
    }
    return result;
  } catch (e) {
    shapeSource = 'default';
    throw e;
  }
}
