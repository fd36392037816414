/**
 * The GPU engine's df64 runs: shaders/df64-trajectory.wgsl, one trajectory
 * per invocation, chunk by chunk. The host stages each chunk's settings and
 * initial states (src/engine/df64-plan.ts), dispatches the steps in slices
 * of bounded work, and reads the statistics back; src/engine/df64-cpu.ts
 * computes the same numbers.
 */
import { dfMul } from '../df64.js';
import { throwIfAborted } from '../errors.js';
import { cellAt, checkTraceLength, type Spec } from '../experiment/index.js';
import { hashText } from './plan.js';
import { ChunkTable, indicesWindow, tableWindow } from './schedule-table.js';
import {
  buildDf64Table,
  DF64_UNIFORM_BYTES,
  df64KernelWgsl,
  df64Rates,
  df64Uniforms,
  packDf64Uniforms,
  planDf64Run,
  stageTrajectories,
  unpackDf64Stats,
  type Df64Plan,
} from './df64-plan.js';
import type { ChunkStats, RunOptions, Trace } from './types.js';

/** What a df64 run needs of the GPU engine: its device, its pipeline cache and its way of waiting. */
export interface Df64Device {
  readonly device: GPUDevice;
  readonly waitFor: <T>(promise: Promise<T>) => Promise<T>;
  /** The compiled pipeline of a kernel's code and entry point (cached by the engine). */
  pipeline(key: string, wgsl: string, entryPoint: 'advance' | 'trace', constants: Record<string, number>): Promise<GPUComputePipeline>;
  /** Throws what an error scope caught. */
  raise(errors: (GPUError | null)[]): void;
}

/** Trajectory-steps per dispatch, weighted by a step's cost: keeps each submission short. */
const WORK_PER_DISPATCH = 1 << 22;
const WORKGROUP = 64;

function stepCost(plan: Df64Plan): number {
  const points = plan.network ? (plan.network.config.minibatch ?? plan.network.config.dataPoints) : 1;
  return Math.max(1, plan.dims * points);
}

function kernelOf(plan: Df64Plan): { key: string; wgsl: string } {
  const wgsl = df64KernelWgsl(plan);
  return { key: `df64:${hashText(wgsl)}:${wgsl.length}`, wgsl };
}

function storage(device: GPUDevice, data: Float32Array<ArrayBuffer>, label: string, usage = 0): GPUBuffer {
  const buffer = device.createBuffer({ size: Math.max(16, data.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | usage, label });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

function dispatchSize(device: GPUDevice, invocations: number, workgroup: number): [number, number] {
  const groups = Math.max(1, Math.ceil(invocations / workgroup));
  const x = Math.min(groups, device.limits.maxComputeWorkgroupsPerDimension);
  return [x, Math.ceil(groups / x)];
}

/** A df64 sweep on the GPU, chunk by chunk in grid order. */
export async function* runDf64Gpu(gpu: Df64Device, spec: Spec, options: RunOptions = {}): AsyncIterable<ChunkStats> {
  const { device } = gpu;
  const plan = planDf64Run(spec, options, device.limits);
  const { state: L } = plan;
  const kernel = kernelOf(plan);
  const compiling = gpu.pipeline(kernel.key, kernel.wgsl, 'advance', { WORKGROUP });
  const total = (plan.end - plan.begin) * plan.steps;
  const data = plan.network ? plan.network.kernelData(plan.steps) : new Float32Array(4);
  const pipeline = await gpu.waitFor(compiling);
  const buffers = {
    uniforms: device.createBuffer({ size: DF64_UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'df64 uniforms' }),
    data: storage(device, Float32Array.from(data), 'df64 data'),
    trace: device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: 'df64 no trace' }),
  };
  const stateBytes = plan.chunk * L.words * 4;
  const stateBuffer = device.createBuffer({ size: stateBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label: 'df64 state' });
  const readback = device.createBuffer({ size: stateBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'df64 readback' });
  const dispatchSteps = Math.max(1, Math.floor(WORK_PER_DISPATCH / (plan.chunk * stepCost(plan))));
  let done = 0;
  const transient: GPUBuffer[] = [];
  // The chunk's rows for a block of steps; a new table replaces the last one's buffer.
  const tables = new ChunkTable<GPUBuffer>((rows, b0, b1, previous) => {
    previous?.destroy();
    return storage(device, buildDf64Table(plan, b0, b1, rows), 'df64 schedule table');
  });
  try {
    for (let start = plan.begin; start < plan.end; start += plan.chunk) {
      throwIfAborted(options.signal);
      const count = Math.min(plan.chunk, plan.end - start);
      const rows = tableWindow(spec, plan.schedule, start, count);
      const staged = stageTrajectories(plan, indices(start, count), count, rows.first);
      device.queue.writeBuffer(stateBuffer, 0, staged.state, 0, count * L.words);
      const settings = storage(device, staged.settings, 'df64 settings');
      transient.push(settings);
      device.pushErrorScope('validation');
      device.pushErrorScope('out-of-memory');
      for (let b0 = 0; b0 < plan.steps; b0 += plan.block) {
        const b1 = Math.min(plan.steps, b0 + plan.block);
        const rates = tables.get(rows, b0, b1).table;
        const bindGroup = device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [buffers.uniforms, settings, rates, buffers.data, stateBuffer, buffers.trace].map((buffer, binding) => ({ binding, resource: { buffer } })),
        });
        for (let k0 = b0; k0 < b1; k0 += dispatchSteps) {
          throwIfAborted(options.signal);
          const k1 = Math.min(b1, k0 + dispatchSteps);
          device.queue.writeBuffer(buffers.uniforms, 0, packDf64Uniforms(df64Uniforms(plan, { start, count, k0, k1, b0, b1, traceRows: 0 })));
          const encoder = device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, bindGroup);
          pass.dispatchWorkgroups(...dispatchSize(device, count, WORKGROUP));
          pass.end();
          device.queue.submit([encoder.finish()]);
          await gpu.waitFor(device.queue.onSubmittedWorkDone());
          done += count * (k1 - k0);
          if (!options.signal?.aborted) options.onProgress?.({ done, total });
        }
      }
      const bytes = count * L.words * 4;
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(stateBuffer, 0, readback, 0, bytes);
      device.queue.submit([encoder.finish()]);
      const errors = Promise.all([device.popErrorScope(), device.popErrorScope()]);
      await gpu.waitFor(readback.mapAsync(GPUMapMode.READ, 0, bytes));
      gpu.raise(await gpu.waitFor(errors));
      const words = readback.getMappedRange(0, bytes).slice(0);
      readback.unmap();
      for (const b of transient.splice(0)) b.destroy();
      yield unpackDf64Stats(plan, start, count, words);
    }
  } finally {
    for (const b of [...Object.values(buffers), stateBuffer, readback, ...transient]) b.destroy();
    tables.current?.destroy();
  }
}

function* indices(start: number, count: number): Generator<number> {
  for (let i = start; i < start + count; i++) yield i;
}

/** df64 traces on the GPU: one trajectory per invocation, every iterate recorded. */
export async function traceDf64Gpu(gpu: Df64Device, spec: Spec, traced: readonly number[], options: RunOptions = {}): Promise<Trace[]> {
  if (traced.length === 0) return [];
  checkTraceLength(spec, 'key');
  const { device } = gpu;
  const plan = planDf64Run(spec);
  const { steps, dims } = plan;
  const count = traced.length;
  const kernel = kernelOf(plan);
  const pipeline = await gpu.waitFor(gpu.pipeline(kernel.key, kernel.wgsl, 'trace', {}));
  const rowFloats = 2 * dims + 2;
  const traceBytes = count * (steps + 1) * rowFloats * 4;
  // More rows than one buffer may hold: the traces in two halves.
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (traceBytes > limit && count > 1) {
    const half = Math.ceil(count / 2);
    return [...(await traceDf64Gpu(gpu, spec, traced.slice(0, half), options)), ...(await traceDf64Gpu(gpu, spec, traced.slice(half), options))];
  }
  const rows = indicesWindow(spec, plan.schedule, traced);
  const staged = stageTrajectories(plan, traced, count, rows.first);
  const buffers = {
    uniforms: device.createBuffer({ size: DF64_UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
    settings: storage(device, staged.settings, 'df64 settings'),
    rates: storage(device, buildDf64Table(plan, 0, steps, rows), 'df64 schedule table'),
    data: storage(device, Float32Array.from(plan.network ? plan.network.kernelData(steps) : new Float32Array(4)), 'df64 data'),
    state: storage(device, staged.state, 'df64 state'),
    trace: device.createBuffer({ size: traceBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
    readback: device.createBuffer({ size: traceBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
  };
  try {
    throwIfAborted(options.signal);
    device.pushErrorScope('validation');
    device.queue.writeBuffer(buffers.uniforms, 0, packDf64Uniforms(df64Uniforms(plan, { start: 0, count, k0: 0, k1: steps, b0: 0, b1: steps, traceRows: steps + 1 })));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [buffers.uniforms, buffers.settings, buffers.rates, buffers.data, buffers.state, buffers.trace].map((buffer, binding) => ({ binding, resource: { buffer } })),
      }),
    );
    pass.dispatchWorkgroups(count);
    pass.end();
    encoder.copyBufferToBuffer(buffers.trace, 0, buffers.readback, 0, traceBytes);
    device.queue.submit([encoder.finish()]);
    const errors = device.popErrorScope();
    await gpu.waitFor(buffers.readback.mapAsync(GPUMapMode.READ));
    gpu.raise([await gpu.waitFor(errors)]);
    const rows = new Float32Array(buffers.readback.getMappedRange().slice(0));
    buffers.readback.unmap();
    return traced.map((index, t) => {
      const w = new Float64Array((steps + 1) * dims);
      const loss = new Float64Array(steps + 1);
      for (let k = 0; k <= steps; k++) {
        const at = (t * (steps + 1) + k) * rowFloats;
        for (let d = 0; d < dims; d++) w[k * dims + d] = rows[at + 2 * d]! + rows[at + 2 * d + 1]!;
        loss[k] = rows[at + 2 * dims]! + rows[at + 2 * dims + 1]!;
      }
      options.onProgress?.({ done: (t + 1) * steps, total: count * steps });
      return { index, lr: df64Rates(cellAt(spec, index), dfMul, steps), w, loss };
    });
  } finally {
    for (const b of Object.values(buffers)) b.destroy();
  }
}
