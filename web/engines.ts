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
  runRange,
  type ChunkStats,
  type Engine,
  type Progress,
  type RunOptions,
  type Spec,
  type SpecInput,
  type Trace,
} from '../src/core';

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
  private nextId = 1;
  private readonly handlers = new Map<number, (message: WorkerResponse) => void>();

  constructor(count = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8))) {
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.handlers.get(event.data.id)?.(event.data);
      return worker;
    });
    this.description = `float32 CPU reference in ${count} Web Worker${count === 1 ? '' : 's'}`;
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
}

let gpuEngine: Promise<GpuEngine | { missing: 'missing' | 'adapter' | 'insecure' }> | undefined;

/** The WebGPU engine once per page (or why there is none). */
function webgpu() {
  gpuEngine ??= (async () => {
    if (!('gpu' in navigator) || !navigator.gpu) return { missing: window.isSecureContext ? ('missing' as const) : ('insecure' as const) };
    try {
      return await GpuEngine.create(navigator.gpu);
    } catch {
      return { missing: 'adapter' as const };
    }
  })();
  return gpuEngine;
}

let workerEngine: WorkerEngine | undefined;

export async function pickEngine(choice: 'auto' | 'gpu' | 'cpu'): Promise<PageEngine> {
  const gpu = choice === 'cpu' ? undefined : await webgpu();
  if (gpu instanceof GpuEngine) {
    const info = describeAdapter(gpu.adapter);
    return { engine: gpu, kind: 'gpu', adapter: `${info.name}${info.isFallbackAdapter ? ' (software)' : ''}` };
  }
  workerEngine ??= new WorkerEngine();
  return { engine: workerEngine, kind: 'cpu', adapter: workerEngine.description, ...(gpu ? { missing: gpu.missing } : {}) };
}

/** Whether WebGPU works here (without creating the CPU worker). */
export async function webgpuAvailable(): Promise<boolean> {
  return (await webgpu()) instanceof GpuEngine;
}
