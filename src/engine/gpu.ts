/**
 * The WebGPU engine: stages the buffers, dispatches the kernel chunk by chunk
 * and step block by step block, and streams the statistics back.
 *
 * Engine code never finds a GPU itself: it is handed a `GPU` object
 * (`navigator.gpu` in a page, the Dawn singleton in Node; see src/node/gpu.ts).
 */
import { f32, f32Bits } from '../float32.js';
import { NoAdapterError, throwIfAborted } from '../errors.js';
import { learningRate } from '../schedules.js';
import { cellAt, gridSize, type Spec } from '../experiment/index.js';
import { packUniforms, stateFields, UNIFORM_BYTES, type UniformName } from './layout.js';
import { buildScheduleTable, scheduleLayout, stepBlockLength, tableStride, type ScheduleLayout } from './schedule-table.js';
import { buildKernel, DEFAULT_KERNEL_OPTIONS, rowsShared, slotWords, vectorWidth, type KernelOptions } from './shader.js';
import { runRange, tailWindows, type ChunkStats, type Engine, type RunOptions, type Trace } from './types.js';

/** Trajectories per chunk unless the device's limits call for fewer. */
const DEFAULT_CHUNK = 1 << 18;
/** Trajectory-steps per dispatch: keeps each submission short (watchdogs, progress, cancellation). */
const WORK_PER_DISPATCH = 1 << 28;
/** Floats of step-by-step trace output per dispatch. */
const TRACE_BUDGET_FLOATS = 1 << 22;

export interface GpuEngineOptions {
  readonly kernel?: Partial<KernelOptions>;
  /** Power preference passed to requestAdapter. */
  readonly powerPreference?: GPUPowerPreference;
}

export interface AdapterSummary {
  readonly name: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
}

export function describeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const description = info.description || '';
  const name = description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unknown adapter';
  return {
    name,
    vendor: info.vendor,
    architecture: info.architecture,
    description,
    isFallbackAdapter: Boolean((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
  };
}

export class GpuEngine implements Engine {
  readonly kind = 'gpu' as const;
  readonly description: string;
  private kernelOptions: KernelOptions;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private lost = false;

  private constructor(
    /** Held so the GPU instance outlives its device (Dawn crashes if it is collected first). */
    readonly gpu: GPU,
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    options: GpuEngineOptions,
  ) {
    this.description = describeAdapter(adapter).name;
    this.kernelOptions = { ...DEFAULT_KERNEL_OPTIONS, ...options.kernel };
    void device.lost.then(() => {
      this.lost = true;
    });
  }

  /** Requests an adapter and a device with the adapter's full storage limits. */
  static async create(gpu: GPU, options: GpuEngineOptions = {}): Promise<GpuEngine> {
    let adapter: GPUAdapter | null;
    try {
      adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
    } catch (e) {
      // Dawn throws (rather than returning null) when its options name no usable adapter.
      throw new NoAdapterError(`no WebGPU adapter: ${(e as Error).message}`);
    }
    if (!adapter) throw new NoAdapterError('no WebGPU adapter found');
    const limits = adapter.limits;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
        maxStorageBuffersPerShaderStage: Math.min(limits.maxStorageBuffersPerShaderStage, 8),
      },
    });
    return new GpuEngine(gpu, adapter, device, options);
  }

  /**
   * Explicit layouts: an automatic layout would drop bindings a specialised
   * kernel happens not to read (axis values when nothing is swept).
   */
  private pipelineLayout(entryPoint: 'advance' | 'trace'): GPUPipelineLayout {
    const types: GPUBufferBindingType[] = ['uniform', 'read-only-storage', 'read-only-storage', 'storage'];
    if (entryPoint === 'trace') types.push('storage', 'read-only-storage');
    const bindGroupLayout = this.device.createBindGroupLayout({
      entries: types.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
    });
    return this.device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] });
  }

  /** The kernel's shape: lanes per invocation, workgroup size, fast-block length. */
  get kernel(): KernelOptions {
    return this.kernelOptions;
  }

  /** Changes the kernel's shape for later runs (see src/engine/tune.ts). */
  setKernel(options: Partial<KernelOptions>): void {
    this.kernelOptions = { ...this.kernelOptions, ...options };
  }

  /** Compiled pipelines, keyed by entry point and generated source. */
  private pipeline(code: string, entryPoint: 'advance' | 'trace'): GPUComputePipeline {
    const key = `${entryPoint}\n${code}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      let module = this.modules.get(code);
      if (!module) {
        module = this.device.createShaderModule({ code, label: 'lrscope trajectory kernel' });
        this.modules.set(code, module);
      }
      pipeline = this.device.createComputePipeline({
        layout: this.pipelineLayout(entryPoint),
        compute: { module, entryPoint },
        label: `lrscope ${entryPoint}`,
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /** Runs `body` inside a validation error scope and throws what it caught. */
  private async checked<T>(body: () => Promise<T>): Promise<T> {
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
    let result: T;
    try {
      result = await body();
    } finally {
      const oom = await this.device.popErrorScope();
      const validation = await this.device.popErrorScope();
      const error = oom ?? validation;
      if (error && !(this.lost)) throw new Error(`WebGPU: ${error.message}`);
    }
    return result;
  }

  private storageBuffer(data: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({
      size: Math.max(16, Math.ceil(data.byteLength / 4) * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      label,
    });
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  private dispatchSize(invocations: number, workgroup: number): [number, number] {
    const groups = Math.max(1, Math.ceil(invocations / workgroup));
    const perDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    const x = Math.min(groups, perDim);
    return [x, Math.ceil(groups / x)];
  }

  async *run(spec: Spec, options: RunOptions = {}): AsyncIterable<ChunkStats> {
    const { begin, end } = runRange(gridSize(spec), options.range);
    const total = end - begin;
    const steps = spec.base.steps;
    const dims = spec.dims;
    // Trajectories per invocation, and per vector (an invocation holds lanes / width vectors).
    const lanes = this.kernelOptions.lanes;
    const width = vectorWidth(lanes);
    const groups = lanes / width;
    const layout = scheduleLayout(spec);
    const { resultFields, totalFields } = stateFields(dims, slotWords(spec));
    const windows = tailWindows(steps);

    const maxBinding = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    const maxByState = Math.floor(maxBinding / (4 * totalFields) / lanes) * lanes;
    const chunk = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK, maxByState, total));
    const paddedChunk = Math.ceil(chunk / lanes) * lanes; // whole invocations
    const kernel = buildKernel(spec, layout, this.kernelOptions, rowsShared(spec, layout, lanes, chunk, begin));
    const block = stepBlockLength(layout, steps, options.tableBudgetFloats);
    const dispatchSteps = Math.max(1, Math.min(block, options.stepsPerDispatch ?? Math.floor(WORK_PER_DISPATCH / chunk)));

    const pipeline = this.pipeline(kernel.code, 'advance');
    const axisBuffer = this.storageBuffer(kernel.axisValues, 'axis values');
    const rateBuffer = this.device.createBuffer({
      size: layout.tupleCount * tableStride(block) * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      label: 'schedule table',
    });
    // Two sets of state and readback buffers: while one chunk's results are
    // read back, the next chunk already computes in the other set.
    const slots = [0, 1].map((i) => {
      const state = this.device.createBuffer({
        size: totalFields * paddedChunk * 4,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
        label: `trajectory state ${i}`,
      });
      const readback = this.device.createBuffer({
        size: resultFields * paddedChunk * 4,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
        label: `readback ${i}`,
      });
      return { state, readback };
    });
    const uniformBuffer = this.device.createBuffer({
      size: UNIFORM_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'uniforms',
    });
    const bindGroups = slots.map((slot) =>
      this.device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: uniformBuffer } },
          { binding: 1, resource: { buffer: axisBuffer } },
          { binding: 2, resource: { buffer: rateBuffer } },
          { binding: 3, resource: { buffer: slot.state } },
        ],
      }),
    );

    let tableBegin = -1;
    let done = 0;
    // At most two dispatches queued ahead, so cancellation lands within one.
    const inFlight: Promise<unknown>[] = [];

    /** Queues a chunk's dispatches and the copy of its results; resolves once they can be read. */
    const submitChunk = async (start: number, slot: number) => {
      const count = Math.min(chunk, end - start);
      const slotVectors = Math.ceil(count / lanes) * groups;
      this.device.pushErrorScope('validation');
      this.device.pushErrorScope('out-of-memory');
      for (let b0 = 0; b0 < steps; b0 += block) {
        const b1 = Math.min(steps, b0 + block);
        if (tableBegin !== b0) {
          // Queue-ordered: dispatches submitted before this write still read the previous block.
          this.device.queue.writeBuffer(rateBuffer, 0, buildScheduleTable(spec, layout, b0, b1));
          tableBegin = b0;
        }
        for (let k0 = b0; k0 < b1; k0 += dispatchSteps) {
          throwIfAborted(options.signal);
          const k1 = Math.min(b1, k0 + dispatchSteps);
          this.device.queue.writeBuffer(uniformBuffer, 0, packUniforms(this.uniforms(spec, { start, count, slotVectors, k0, k1, b0, b1, windows, traceRows: 0 })));
          const encoder = this.device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, bindGroups[slot]!);
          pass.dispatchWorkgroups(...this.dispatchSize(slotVectors / groups, this.kernelOptions.workgroupSize));
          pass.end();
          this.device.queue.submit([encoder.finish()]);
          const work = count * (k1 - k0);
          inFlight.push(
            this.device.queue.onSubmittedWorkDone().then(() => {
              done += work;
              if (!options.signal?.aborted) options.onProgress?.({ done, total: total * steps });
            }),
          );
          if (inFlight.length > 2) await inFlight.shift();
        }
      }
      const bytes = resultFields * slotVectors * width * 4;
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(slots[slot]!.state, 0, slots[slot]!.readback, 0, bytes);
      this.device.queue.submit([encoder.finish()]);
      const errors = Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]);
      const mapped = slots[slot]!.readback.mapAsync(GPUMapMode.READ, 0, bytes);
      const ready = Promise.all([mapped, errors]);
      // Keep a rejection (a run cancelled while this was queued) from going unhandled.
      ready.catch(() => {});
      return { start, count, slotVectors, slot, bytes, ready };
    };

    try {
      let next = begin < end ? await submitChunk(begin, 0) : undefined;
      let slot = 0;
      while (next) {
        const current = next;
        slot ^= 1;
        const following = current.start + chunk;
        next = following < end ? await submitChunk(following, slot) : undefined;
        const [, [oom, validation]] = await current.ready;
        const error = oom ?? validation;
        if (error && !this.lost) throw new Error(`WebGPU: ${error.message}`);
        const readback = slots[current.slot]!.readback;
        const words = new Uint32Array(readback.getMappedRange(0, current.bytes).slice(0));
        readback.unmap();
        yield unpackStats(words, current.start, current.count, dims, current.slotVectors * width);
      }
    } finally {
      for (const b of [axisBuffer, rateBuffer, uniformBuffer, ...slots.flatMap((s) => [s.state, s.readback])]) b.destroy();
    }
  }

  private uniforms(
    spec: Spec,
    p: {
      start: number;
      count: number;
      slotVectors: number;
      k0: number;
      k1: number;
      b0: number;
      b1: number;
      windows: ReturnType<typeof tailWindows>;
      traceRows: number;
    },
  ): Record<UniformName, number> {
    return {
      start: p.start,
      count: p.count,
      slotVectors: p.slotVectors,
      stepBegin: p.k0,
      stepEnd: p.k1,
      steps: spec.base.steps,
      aStart: p.windows.aStart,
      bStart: p.windows.bStart,
      tableBegin: p.b0,
      tableStride: tableStride(p.b1 - p.b0),
      traceRows: p.traceRows,
      zero: 0,
      boundBits: f32Bits(f32(spec.base.bound)),
      tol: f32(spec.base.tol),
    };
  }

  async trace(spec: Spec, indices: readonly number[], options: RunOptions = {}): Promise<Trace[]> {
    if (indices.length === 0) return [];
    const steps = spec.base.steps;
    const dims = spec.dims;
    const lanes = vectorWidth(this.kernelOptions.lanes); // one vector per invocation
    const layout: ScheduleLayout = scheduleLayout(spec);
    const kernel = buildKernel(spec, layout, this.kernelOptions);
    const { totalFields } = stateFields(dims, slotWords(spec));
    const windows = tailWindows(steps);
    const count = indices.length;
    const slotVectors = Math.ceil(count / lanes);
    const padded = slotVectors * lanes;
    const rowFloats = dims + 1;
    const block = Math.max(
      1,
      Math.min(stepBlockLength(layout, steps, options.tableBudgetFloats), options.stepsPerDispatch ?? Infinity, Math.floor(TRACE_BUDGET_FLOATS / (padded * rowFloats)) - 1),
    );

    const pipeline = this.pipeline(kernel.code, 'trace');
    const axisBuffer = this.storageBuffer(kernel.axisValues, 'axis values');
    const indexBuffer = this.storageBuffer(Uint32Array.from(indices), 'trace indices');
    const rateBuffer = this.device.createBuffer({
      size: layout.tupleCount * tableStride(block) * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    const stateBuffer = this.device.createBuffer({ size: totalFields * padded * 4, usage: GPUBufferUsage.STORAGE });
    const traceBytes = padded * (block + 1) * rowFloats * 4;
    const traceBuffer = this.device.createBuffer({ size: traceBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const readback = this.device.createBuffer({ size: traceBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const uniformBuffer = this.device.createBuffer({ size: UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uniformBuffer } },
        { binding: 1, resource: { buffer: axisBuffer } },
        { binding: 2, resource: { buffer: rateBuffer } },
        { binding: 3, resource: { buffer: stateBuffer } },
        { binding: 4, resource: { buffer: traceBuffer } },
        { binding: 5, resource: { buffer: indexBuffer } },
      ],
    });

    const traces = indices.map((index) => {
      const cell = cellAt(spec, index);
      const lr = new Float32Array(steps + 1);
      for (let k = 0; k <= steps; k++) lr[k] = learningRate(cell, k);
      return { index, lr, w: new Float32Array((steps + 1) * dims), loss: new Float32Array(steps + 1) };
    });
    try {
      for (let k0 = 0; k0 < steps; k0 += block) {
        throwIfAborted(options.signal);
        const k1 = Math.min(steps, k0 + block);
        const rows = k1 - k0 + 1;
        await this.checked(async () => {
          this.device.queue.writeBuffer(rateBuffer, 0, buildScheduleTable(spec, layout, k0, k1));
          this.device.queue.writeBuffer(
            uniformBuffer,
            0,
            packUniforms(this.uniforms(spec, { start: 0, count, slotVectors, k0, k1, b0: k0, b1: k1, windows, traceRows: rows })),
          );
          const encoder = this.device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, bindGroup);
          pass.dispatchWorkgroups(slotVectors);
          pass.end();
          const bytes = padded * rows * rowFloats * 4;
          encoder.copyBufferToBuffer(traceBuffer, 0, readback, 0, bytes);
          this.device.queue.submit([encoder.finish()]);
          await readback.mapAsync(GPUMapMode.READ, 0, bytes);
          const data = new Float32Array(readback.getMappedRange(0, bytes).slice(0));
          readback.unmap();
          traces.forEach((t, i) => {
            for (let r = 0; r < rows; r++) {
              const src = (i * rows + r) * rowFloats;
              t.w.set(data.subarray(src, src + dims), (k0 + r) * dims);
              t.loss[k0 + r] = data[src + dims]!;
            }
          });
        });
        options.onProgress?.({ done: k1 * count, total: steps * count });
      }
    } finally {
      for (const b of [axisBuffer, indexBuffer, rateBuffer, stateBuffer, traceBuffer, readback, uniformBuffer]) b.destroy();
    }
    return traces;
  }

  dispose(): void {
    this.device.destroy();
  }
}

function unpackStats(words: Uint32Array, start: number, count: number, dims: number, slots: number): ChunkStats {
  const { fields } = stateFields(dims);
  const floats = new Float32Array(words.buffer);
  const ints = new Int32Array(words.buffer);
  const field = <T extends Float32Array | Int32Array | Uint32Array>(source: T, f: number): T =>
    source.slice(f * slots, f * slots + count) as T;
  const finalW = new Float32Array(count * dims);
  for (let d = 0; d < dims; d++) {
    const column = floats.subarray((fields.W + d) * slots, (fields.W + d) * slots + count);
    for (let i = 0; i < count; i++) finalW[i * dims + d] = column[i]!;
  }
  return {
    start,
    count,
    dims,
    finalW,
    finalLoss: field(floats, fields.LOSS),
    peak: field(floats, fields.PEAK),
    gradTol: field(floats, fields.GRADTOL),
    lastAbove: field(ints, fields.LASTABOVE),
    escapeStep: field(ints, fields.ESCAPE),
    gradA: field(floats, fields.GRADA),
    gradB: field(floats, fields.GRADB),
    flips: field(words, fields.FLIPS),
  };
}
