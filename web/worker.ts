/// <reference lib="webworker" />
/**
 * The CPU reference engine in a Web Worker, for browsers without WebGPU:
 * the page never freezes, and results are identical to the GPU engine's.
 */
import { CpuEngine, parseSpec, STAT_NAMES, type ChunkStats, type SpecInput } from '../src/core';
import type { WorkerRequest, WorkerResponse } from './engines';

const engine = new CpuEngine();
const running = new Map<number, AbortController>();

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  (self as DedicatedWorkerGlobalScope).postMessage(message, transfer);
}

/** The chunk's arrays, one per statistic of the trajectory record, handed over rather than copied. */
function buffers(chunk: ChunkStats): Transferable[] {
  return STAT_NAMES.flatMap((name) => chunk[name]?.buffer ?? []) as ArrayBuffer[];
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === 'cancel') {
    running.get(request.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(request.id, controller);
  try {
    const spec = parseSpec(request.input as SpecInput);
    if (request.type === 'run') {
      for await (const chunk of engine.run(spec, {
        signal: controller.signal,
        chunkSize: request.chunkSize,
        range: request.range,
        onProgress: (progress) => post({ id: request.id, type: 'progress', progress }),
      })) {
        post({ id: request.id, type: 'chunk', chunk }, buffers(chunk));
      }
      post({ id: request.id, type: 'end' });
    } else {
      const traces = await engine.trace(spec, request.indices, { signal: controller.signal });
      post({ id: request.id, type: 'traces', traces });
    }
  } catch (e) {
    post({ id: request.id, type: 'error', message: (e as Error).message, cancelled: (e as Error).name === 'CancelledError' });
  } finally {
    running.delete(request.id);
  }
};
