/**
 * The WebGPU engine: executes plans (src/engine/plan.ts). It stages the
 * buffers, dispatches the kernel chunk by chunk and step block by step
 * block, and streams the statistics back.
 *
 * Engine code never finds a GPU itself: it is handed a `GPU` object
 * (`navigator.gpu` in a page, the Dawn singleton in Node; see src/node/gpu.ts).
 */
import { f32, f32Bits } from '../float32.js';
import { NoAdapterError, throwIfAborted } from '../errors.js';
import { learningRate } from '../schedules.js';
import { cellAt, checkTraceLength, type Spec } from '../experiment/index.js';
import { blocksOf, chunksOf, planGpuRun, planGpuTrace, type GpuPlan, type KernelPlan, type RunPlan, type TracePlan } from './plan.js';
import { DEFAULT_KERNEL_OPTIONS, type KernelOptions } from './kernel.js';
import { NETWORK_ROWS_BINDING } from './mlp-team.js';
import { checkKernelOptions } from './kernel-options.js';
import { ChunkArrays, packAxes, packUniforms, UNIFORM_BYTES, unpackStats, type Uniforms } from './records.js';
import { buildScheduleTable, ChunkTable, tableStride, tableWindow } from './schedule-table.js';
import type { ChunkStats, Engine, RunOptions, Trace } from './types.js';
import { runDf64Gpu, traceDf64Gpu, type Df64Device } from './df64-gpu.js';

export interface GpuEngineOptions {
  readonly kernel?: Partial<KernelOptions>;
  /** Power preference passed to requestAdapter. */
  readonly powerPreference?: GPUPowerPreference;
  /**
   * Wraps every wait on the device (a compile, a queue throttle, a readback). Node passes
   * src/node/quiet-wait.ts's `quietly`, so that Dawn's binding does not spin a core meanwhile.
   */
  readonly waitFor?: <T>(promise: Promise<T>) => Promise<T>;
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

/** The device's subgroup size where every subgroup has it and the device has the 'subgroups' feature; else 0. */
function teamSize(adapter: GPUAdapter, device: GPUDevice): number {
  const { subgroupMinSize: min, subgroupMaxSize: max } = adapter.info;
  return device.features.has('subgroups') && min && min === max ? min : 0;
}

/** A kernel that flags (in word 0) any invocation whose subgroup is not the team subgroupsFormTeams expects. */
function teamCheckWgsl(team: number, workgroup: number): string {
  return `enable subgroups;
diagnostic(off, subgroup_uniformity);
@group(0) @binding(0) var<storage, read_write> flags: array<u32>;

@compute @workgroup_size(${workgroup})
fn check(@builtin(local_invocation_index) local: u32, @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) size: u32) {
  let first = subgroupBroadcast(local, 0u);
  if (size != ${team}u || first % ${team}u != 0u || local != first + lane) {
    flags[0] = 1u;
  }
}`;
}

/** The fewest chunks a run on a software adapter is split into (see GpuEngine.run). */
const SOFTWARE_MIN_CHUNKS = 16;

/** Compiled modules and pipelines kept per engine (so per device); the oldest goes first. */
const CACHE_LIMIT = 16;

/** A map that forgets its least recently used entry past a limit. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string, make: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) value = make();
    else this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

/** Buffers handed back after a run, for the next one of the same size and use. */
class BufferPool {
  private readonly free: GPUBuffer[] = [];
  constructor(
    private readonly device: GPUDevice,
    private readonly limit = 8,
  ) {}
  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const i = this.free.findIndex((b) => b.size === size && b.usage === usage);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    return this.device.createBuffer({ size, usage, label });
  }
  release(buffer: GPUBuffer): void {
    if (buffer.mapState !== 'unmapped' || this.free.length >= this.limit) buffer.destroy();
    else this.free.push(buffer);
  }
}

/** The storage bindings of both entry points; `trace` adds its output and index list. */
const BINDINGS: Record<KernelPlan['entryPoint'], GPUBufferBindingType[]> = {
  advance: ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'],
  trace: ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage', 'read-only-storage'],
};

/** The df64 kernel's bindings (shaders/df64-trajectory.wgsl), the same for both entry points. */
const DF64_BINDINGS: GPUBufferBindingType[] = ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage'];

export class GpuEngine implements Engine {
  readonly kind = 'gpu' as const;
  readonly description: string;
  private kernelOptions: KernelOptions;
  private readonly modules = new Lru<GPUShaderModule>(CACHE_LIMIT);
  private readonly pipelines = new Lru<Promise<GPUComputePipeline>>(CACHE_LIMIT);
  private readonly readbacks: BufferPool;
  private lost = false;
  /** Whether the adapter is a CPU implementation (lavapipe, SwiftShader), which prefers smaller chunks. */
  private readonly software: boolean;
  /**
   * The network's team layout's invocations per trajectory (src/engine/mlp-team.ts):
   * the subgroup size, where the device has subgroups of one fixed size; else 0.
   */
  readonly team: number;
  /**
   * Whether network teams read their dataset as rows of a uniform buffer unless a run says
   * otherwise (RunOptions.networkRows): on lavapipe, where that measured 1.1–1.2× faster;
   * not on SwiftShader, where it measured 0.7×, nor on adapters not measured.
   */
  readonly networkRows: boolean;
  /** Whether the device forms its subgroups as teams need, per workgroup size (checked once each). */
  private readonly teamChecks = new Map<number, Promise<boolean>>();
  private readonly waitFor: <T>(promise: Promise<T>) => Promise<T>;
  /** Shader modules and pipelines created so far (a new grid shape or a zoom creates neither). */
  readonly created = { modules: 0, pipelines: 0 };

  private constructor(
    /** Held so the GPU instance outlives its device (Dawn crashes if it is collected first). */
    readonly gpu: GPU,
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    options: GpuEngineOptions,
  ) {
    const summary = describeAdapter(adapter);
    this.description = summary.name;
    this.software = summary.isFallbackAdapter;
    this.team = teamSize(adapter, device);
    this.networkRows = /\bllvmpipe\b/i.test(summary.name);
    this.kernelOptions = checkKernelOptions({ ...DEFAULT_KERNEL_OPTIONS, ...options.kernel }, device.limits);
    this.readbacks = new BufferPool(device);
    this.waitFor = options.waitFor ?? ((promise) => promise);
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
      // Subgroups, where there are, let the network run in teams (src/engine/mlp-team.ts).
      requiredFeatures: adapter.features.has('subgroups') ? ['subgroups'] : [],
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
        maxStorageBuffersPerShaderStage: Math.min(limits.maxStorageBuffersPerShaderStage, 8),
      },
    });
    return new GpuEngine(gpu, adapter, device, options);
  }

  /** The kernel's shape: lanes per invocation, workgroup size, fast-block length. */
  get kernel(): KernelOptions {
    return this.kernelOptions;
  }

  /** Changes the kernel's shape for later runs (see src/engine/tune.ts); a shape the device cannot run is refused. */
  setKernel(options: Partial<KernelOptions>): void {
    this.kernelOptions = checkKernelOptions({ ...this.kernelOptions, ...options }, this.device.limits);
  }

  /**
   * The compiled pipeline of a kernel plan, from the cache when the same code and constants ran before.
   * Compiled asynchronously: Dawn compiles off the JavaScript thread, which meanwhile builds the schedule table.
   */
  private pipeline(kernel: KernelPlan): Promise<GPUComputePipeline> {
    return this.pipelines.get(kernel.pipelineKey, () => {
      const module = this.modules.get(kernel.moduleKey, () => {
        this.created.modules++;
        return this.device.createShaderModule({ code: kernel.wgsl, label: 'lrscope trajectory kernel' });
      });
      this.created.pipelines++;
      // An explicit layout: an automatic one would drop bindings a kernel happens not to read.
      const bindGroupLayout = this.device.createBindGroupLayout({
        entries: [
          ...BINDINGS[kernel.entryPoint].map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
          ...(kernel.networkRows ? [{ binding: NETWORK_ROWS_BINDING, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' as const } }] : []),
        ],
      });
      return this.device
        .createComputePipelineAsync({
          layout: this.device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
          compute: { module, entryPoint: kernel.entryPoint, constants: kernel.overrides },
          label: `lrscope ${kernel.entryPoint}`,
        })
        .catch((e: unknown) => {
          throw new Error(`WebGPU: ${e instanceof Error ? e.message : String(e)}`);
        });
    });
  }

  /** A buffer holding `data`, for a storage binding unless `usage` says otherwise. */
  private filledBuffer(data: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>, label: string, usage: GPUBufferUsageFlags = GPUBufferUsage.STORAGE): GPUBuffer {
    const buffer = this.device.createBuffer({ size: Math.max(16, Math.ceil(data.byteLength / 4) * 4), usage: usage | GPUBufferUsage.COPY_DST, label });
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  private dispatchSize(invocations: number, workgroup: number): [number, number] {
    const groups = Math.max(1, Math.ceil(invocations / workgroup));
    const x = Math.min(groups, this.device.limits.maxComputeWorkgroupsPerDimension);
    return [x, Math.ceil(groups / x)];
  }

  private dispatch(encoder: GPUCommandEncoder, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, size: [number, number]): void {
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...size);
    pass.end();
  }

  /** The bind group of `buffers`, bound in order from 0, and of the network's rows (at NETWORK_ROWS_BINDING) if the kernel reads them. */
  private bindGroup(pipeline: GPUComputePipeline, buffers: GPUBuffer[], rows?: GPUBuffer): GPUBindGroup {
    const entries = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    if (rows) entries.push({ binding: NETWORK_ROWS_BINDING, resource: { buffer: rows } });
    return this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  }

  /** Throws what an error scope caught (unless the device is gone, which the caller learns otherwise). */
  private raise(errors: (GPUError | null)[]): void {
    const error = errors.find(Boolean);
    if (error && !this.lost) throw new Error(`WebGPU: ${error.message}`);
  }

  /** What the df64 runs (src/engine/df64-gpu.ts) use of this engine. */
  private get df64(): Df64Device {
    return {
      device: this.device,
      waitFor: this.waitFor,
      raise: (errors) => this.raise(errors),
      pipeline: (key, wgsl, entryPoint, constants) =>
        this.pipelines.get(`${key}|${entryPoint}`, () => {
          const module = this.modules.get(key, () => {
            this.created.modules++;
            return this.device.createShaderModule({ code: wgsl, label: 'lrscope df64 kernel' });
          });
          this.created.pipelines++;
          const bindGroupLayout = this.device.createBindGroupLayout({
            entries: DF64_BINDINGS.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
          });
          return this.device
            .createComputePipelineAsync({
              layout: this.device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
              compute: { module, entryPoint, constants },
              label: `lrscope df64 ${entryPoint}`,
            })
            .catch((e: unknown) => {
              throw new Error(`WebGPU: ${e instanceof Error ? e.message : String(e)}`);
            });
        }),
    };
  }

  async *run(spec: Spec, options: RunOptions = {}): AsyncIterable<ChunkStats> {
    if (spec.base.precision === 'df64') {
      yield* runDf64Gpu(this.df64, spec, options);
      return;
    }
    // A software adapter's invocations are SIMD lanes of a few CPU cores, which 65,536 trajectories
    // already fill: there smaller chunks leave less to wait for at the start and the end of a run
    // (on lavapipe a 1024² sweep ran about 10% faster in 16 chunks than in 4). A GPU keeps the
    // large chunks it needs to fill its cores.
    const minChunks = options.minChunks ?? (this.software ? SOFTWARE_MIN_CHUNKS : undefined);
    const team = await this.teamFor(spec, options);
    const networkRows = options.networkRows ?? this.networkRows;
    yield* this.execute(planGpuRun(spec, { ...options, minChunks, networkRows }, this.kernelOptions, this.device.limits, team), options);
  }

  /**
   * The team size a run of this spec may use (src/engine/mlp-team.ts): `team`
   * for a network where the device forms its subgroups as the team layout
   * needs, else 0. The first network run at a workgroup size checks that.
   */
  private async teamFor(spec: Spec, options: RunOptions): Promise<number> {
    if (!this.team || spec.base.objective !== 'mlp' || (options.networkLayout && options.networkLayout !== 'team')) return 0;
    const workgroup = Math.ceil(this.kernelOptions.workgroupSize / this.team) * this.team;
    let check = this.teamChecks.get(workgroup);
    if (!check) {
      check = this.subgroupsFormTeams(this.team, workgroup);
      this.teamChecks.set(workgroup, check);
    }
    return (await this.waitFor(check)) ? this.team : 0;
  }

  /**
   * Whether every subgroup of a workgroup of this size is `team` consecutive
   * invocations in order, the first at a multiple of `team`: what the team
   * layout takes a subgroup to be. WebGPU fixes the subgroup size here but not
   * which invocations share one; lavapipe and SwiftShader group them so.
   */
  async subgroupsFormTeams(team: number, workgroup: number): Promise<boolean> {
    const flags = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: 'team check' });
    const readback = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'team check readback' });
    try {
      const module = this.device.createShaderModule({ code: teamCheckWgsl(team, workgroup), label: 'lrscope team check' });
      const pipeline = await this.waitFor(this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'check' } }));
      const encoder = this.device.createCommandEncoder();
      this.dispatch(encoder, pipeline, this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: flags } }] }), [4, 1]);
      encoder.copyBufferToBuffer(flags, 0, readback, 0, 16);
      this.device.queue.submit([encoder.finish()]);
      await this.waitFor(readback.mapAsync(GPUMapMode.READ));
      const wrong = new Uint32Array(readback.getMappedRange())[0];
      readback.unmap();
      return wrong === 0;
    } catch {
      return false;
    } finally {
      flags.destroy();
      readback.destroy();
    }
  }

  /** Runs a sweep plan: two sets of state and readback buffers alternate, so one chunk is read back while the next computes. */
  async *execute(plan: GpuPlan, options: Pick<RunOptions, 'signal' | 'onProgress' | 'recycle'> = {}): AsyncIterable<ChunkStats> {
    const { kernel, state } = plan;
    const lanes = kernel.options.lanes;
    const total = (plan.end - plan.begin) * plan.steps;
    const compiling = this.pipeline(kernel);
    // The schedule table holds one chunk's rows (tableWindow) for a block of steps, built in one reused
    // buffer; the first chunk's first block is built while the pipeline compiles.
    const scratch = new Float32Array(plan.tableRows * tableStride(plan.block));
    const tables = new ChunkTable((rows, b0, b1) => buildScheduleTable(plan.spec, plan.schedule, b0, b1, rows, scratch));
    const firstChunk = chunksOf(plan).next().value;
    const firstBlock = blocksOf(plan).next().value;
    if (firstChunk && firstBlock) tables.get(tableWindow(plan.spec, plan.schedule, firstChunk.start, firstChunk.count), firstBlock.b0, firstBlock.b1);
    const pipeline = await this.waitFor(compiling);
    const axesBuffer = this.filledBuffer(packAxes(kernel.grid.axes), 'axis layout');
    const valuesBuffer = this.filledBuffer(kernel.grid.values, 'axis values');
    const rateBuffer = this.device.createBuffer({ size: scratch.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'schedule table' });
    const uniformBuffer = this.device.createBuffer({ size: UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'uniforms' });
    const rowsBuffer = kernel.networkRows && this.filledBuffer(kernel.networkRows, 'network data rows', GPUBufferUsage.UNIFORM);
    const sets = [0, 1].map((i) => {
      const stateBuffer = this.device.createBuffer({ size: state.words * plan.paddedChunk * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label: `trajectory state ${i}` });
      const readback = this.readbacks.acquire(state.resultWords * plan.paddedChunk * 4, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `readback ${i}`);
      return { stateBuffer, readback, bindGroup: this.bindGroup(pipeline, [uniformBuffer, axesBuffer, valuesBuffer, rateBuffer, stateBuffer], rowsBuffer) };
    });

    if (tables.current) this.device.queue.writeBuffer(rateBuffer, 0, tables.current);
    let done = 0;
    const arrays = options.recycle ? new ChunkArrays() : undefined;
    // At most two dispatches queued ahead, so cancellation lands within one.
    const inFlight: Promise<unknown>[] = [];

    /** Queues a chunk's dispatches and the copy of its results; resolves once they can be read. */
    const submitChunk = async (start: number, count: number, set: (typeof sets)[number]) => {
      const slotVectors = Math.ceil(count / lanes) * kernel.groups;
      this.device.pushErrorScope('validation');
      this.device.pushErrorScope('out-of-memory');
      const rows = tableWindow(plan.spec, plan.schedule, start, count);
      for (const { b0, b1 } of blocksOf(plan)) {
        const { table, fresh } = tables.get(rows, b0, b1);
        // Queue-ordered: dispatches submitted before this write still read the table they were given.
        if (fresh) this.device.queue.writeBuffer(rateBuffer, 0, table);
        for (let k0 = b0; k0 < b1; k0 += plan.dispatchSteps) {
          throwIfAborted(options.signal);
          const k1 = Math.min(b1, k0 + plan.dispatchSteps);
          this.device.queue.writeBuffer(uniformBuffer, 0, packUniforms(uniforms(plan, { start, count, slotVectors, k0, k1, b0, b1, firstRow: rows.first, traceRows: 0 })));
          const encoder = this.device.createCommandEncoder();
          this.dispatch(encoder, pipeline, set.bindGroup, this.dispatchSize((slotVectors / kernel.groups) * plan.team, kernel.options.workgroupSize));
          this.device.queue.submit([encoder.finish()]);
          const work = count * (k1 - k0);
          inFlight.push(
            this.device.queue.onSubmittedWorkDone().then(() => {
              done += work;
              if (!options.signal?.aborted) options.onProgress?.({ done, total });
            }),
          );
          if (inFlight.length > 2) await this.waitFor(inFlight.shift()!);
        }
      }
      const bytes = state.resultWords * slotVectors * kernel.width * 4;
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(set.stateBuffer, 0, set.readback, 0, bytes);
      this.device.queue.submit([encoder.finish()]);
      const errors = Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]);
      const ready = Promise.all([set.readback.mapAsync(GPUMapMode.READ, 0, bytes), errors]);
      // Keep a rejection (a run cancelled while this was queued) from going unhandled.
      ready.catch(() => {});
      return { start, count, slotVectors, set, bytes, ready };
    };

    try {
      const chunks = chunksOf(plan);
      const first = chunks.next();
      let next = first.done ? undefined : await submitChunk(first.value.start, first.value.count, sets[0]!);
      for (let i = 1; next; i++) {
        const current = next;
        const following = chunks.next();
        next = following.done ? undefined : await submitChunk(following.value.start, following.value.count, sets[i % 2]!);
        const [, errors] = await this.waitFor(current.ready);
        this.raise(errors);
        const readback = current.set.readback;
        // unpackStats copies every field out of the mapped range, so nothing it returns outlives the unmap.
        const words = new Uint32Array(readback.getMappedRange(0, current.bytes));
        const stats = unpackStats(words, state, current.count, current.slotVectors * kernel.width, arrays);
        readback.unmap();
        yield { start: current.start, count: current.count, dims: plan.dims, ...stats } as ChunkStats;
      }
    } finally {
      for (const b of [axesBuffer, valuesBuffer, rateBuffer, uniformBuffer, ...(rowsBuffer ? [rowsBuffer] : []), ...sets.map((s) => s.stateBuffer)]) b.destroy();
      for (const s of sets) this.readbacks.release(s.readback);
    }
  }

  async trace(spec: Spec, indices: readonly number[], options: RunOptions = {}): Promise<Trace[]> {
    if (indices.length === 0) return [];
    checkTraceLength(spec, 'key');
    if (spec.base.precision === 'df64') return traceDf64Gpu(this.df64, spec, indices, options);
    return this.executeTrace(planGpuTrace(spec, indices, options, this.kernelOptions), options);
  }

  /** Runs a trace plan: block by block, each dispatch recording every iterate of its steps. */
  async executeTrace(plan: TracePlan, options: Pick<RunOptions, 'signal' | 'onProgress'> = {}): Promise<Trace[]> {
    const { kernel, dims, steps } = plan;
    const count = plan.indices.length;
    const rowFloats = dims + 1;
    const pipeline = await this.waitFor(this.pipeline(kernel));
    const traceBytes = plan.padded * (plan.traceBlock + 1) * rowFloats * 4;
    const buffers = {
      uniforms: this.device.createBuffer({ size: UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
      axes: this.filledBuffer(packAxes(kernel.grid.axes), 'axis layout'),
      values: this.filledBuffer(kernel.grid.values, 'axis values'),
      rates: this.device.createBuffer({ size: plan.traceRows.count * tableStride(plan.traceBlock) * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
      state: this.device.createBuffer({ size: plan.state.words * plan.padded * 4, usage: GPUBufferUsage.STORAGE }),
      trace: this.device.createBuffer({ size: traceBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
      indices: this.filledBuffer(Uint32Array.from(plan.indices), 'trace indices'),
    };
    const readback = this.readbacks.acquire(traceBytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'trace readback');
    const bindGroup = this.bindGroup(pipeline, [buffers.uniforms, buffers.axes, buffers.values, buffers.rates, buffers.state, buffers.trace, buffers.indices]);

    const traces = plan.indices.map((index) => {
      const cell = cellAt(plan.spec, index);
      const lr = new Float32Array(steps + 1);
      for (let k = 0; k <= steps; k++) lr[k] = learningRate(cell, k);
      return { index, lr, w: new Float32Array((steps + 1) * dims), loss: new Float32Array(steps + 1) };
    });
    try {
      for (const { b0: k0, b1: k1 } of blocksOf(plan)) {
        throwIfAborted(options.signal);
        const rows = k1 - k0 + 1;
        const bytes = plan.padded * rows * rowFloats * 4;
        this.device.pushErrorScope('validation');
        this.device.pushErrorScope('out-of-memory');
        this.device.queue.writeBuffer(buffers.rates, 0, buildScheduleTable(plan.spec, plan.schedule, k0, k1, plan.traceRows));
        this.device.queue.writeBuffer(buffers.uniforms, 0, packUniforms(uniforms(plan, { start: 0, count, slotVectors: plan.vectors, k0, k1, b0: k0, b1: k1, firstRow: plan.traceRows.first, traceRows: rows })));
        const encoder = this.device.createCommandEncoder();
        this.dispatch(encoder, pipeline, bindGroup, [plan.vectors, 1]);
        encoder.copyBufferToBuffer(buffers.trace, 0, readback, 0, bytes);
        this.device.queue.submit([encoder.finish()]);
        const errors = Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]);
        await this.waitFor(readback.mapAsync(GPUMapMode.READ, 0, bytes));
        this.raise(await this.waitFor(errors));
        const data = new Float32Array(readback.getMappedRange(0, bytes).slice(0));
        readback.unmap();
        traces.forEach((t, i) => {
          for (let r = 0; r < rows; r++) {
            const src = (i * rows + r) * rowFloats;
            t.w.set(data.subarray(src, src + dims), (k0 + r) * dims);
            t.loss[k0 + r] = data[src + dims]!;
          }
        });
        options.onProgress?.({ done: k1 * count, total: steps * count });
      }
    } finally {
      for (const b of Object.values(buffers)) b.destroy();
      this.readbacks.release(readback);
    }
    return traces;
  }

  dispose(): void {
    this.device.destroy();
  }
}

/** The uniforms of one dispatch. */
function uniforms(plan: RunPlan, p: { start: number; count: number; slotVectors: number; k0: number; k1: number; b0: number; b1: number; firstRow: number; traceRows: number }): Uniforms {
  return {
    start: p.start,
    count: p.count,
    slotVectors: p.slotVectors,
    stepBegin: p.k0,
    stepEnd: p.k1,
    steps: plan.steps,
    aStart: plan.windows.aStart,
    bStart: plan.windows.bStart,
    tableBegin: p.b0,
    tableStride: tableStride(p.b1 - p.b0),
    tableFirstRow: p.firstRow,
    traceRows: p.traceRows,
    boundBits: f32Bits(f32(plan.spec.base.bound)),
    tol: f32(plan.spec.base.tol),
    zero: 0,
  };
}
