/**
 * Which engine the page runs on: the WebGPU engine on `navigator.gpu`, or,
 * where there is none, the CPU reference engine in a Web Worker behind the
 * same Engine interface.
 */
import { CancelledError, describeAdapter, GpuEngine, type ChunkStats, type Engine, type Progress, type RunOptions, type Spec, type SpecInput, type Trace } from '../src/core';

export type WorkerRequest =
  | { id: number; type: 'run'; input: SpecInput; chunkSize: number }
  | { id: number; type: 'trace'; input: SpecInput; indices: number[] }
  | { id: number; type: 'cancel' };

export type WorkerResponse =
  | { id: number; type: 'chunk'; chunk: ChunkStats }
  | { id: number; type: 'progress'; progress: Progress }
  | { id: number; type: 'end' }
  | { id: number; type: 'traces'; traces: Trace[] }
  | { id: number; type: 'error'; message: string; cancelled: boolean };

/** The CPU engine, running in a worker. */
export class WorkerEngine implements Engine {
  readonly kind = 'cpu' as const;
  readonly description = 'float32 CPU reference in a Web Worker';
  private readonly worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  private nextId = 1;
  private readonly handlers = new Map<number, (message: WorkerResponse) => void>();

  constructor() {
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.handlers.get(event.data.id)?.(event.data);
  }

  async *run(spec: Spec, options: RunOptions = {}): AsyncIterable<ChunkStats> {
    const id = this.nextId++;
    const queue: WorkerResponse[] = [];
    let wake: (() => void) | undefined;
    this.handlers.set(id, (message) => {
      if (message.type === 'progress') options.onProgress?.(message.progress);
      else queue.push(message);
      wake?.();
    });
    const cancel = () => this.worker.postMessage({ id, type: 'cancel' } satisfies WorkerRequest);
    options.signal?.addEventListener('abort', cancel, { once: true });
    this.worker.postMessage({ id, type: 'run', input: spec.input, chunkSize: options.chunkSize ?? 4096 } satisfies WorkerRequest);
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const message = queue.shift()!;
        if (message.type === 'chunk') yield message.chunk;
        else if (message.type === 'end') return;
        else if (message.type === 'error') throw message.cancelled ? new CancelledError() : new Error(message.message);
      }
    } finally {
      this.handlers.delete(id);
      options.signal?.removeEventListener('abort', cancel);
      if (options.signal?.aborted) cancel();
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
      this.worker.postMessage({ id, type: 'trace', input: spec.input, indices: [...indices] } satisfies WorkerRequest);
    });
  }

  dispose(): void {
    this.worker.terminate();
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
