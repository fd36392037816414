/**
 * The plan of a run, decided once from the spec, the range of the grid, and
 * (for the GPU) the kernel's shape and the device's limits: the chunks and
 * step blocks, the schedule table's layout, the state record, the values the
 * kernel decodes settings from, and the kernel's code. It is pure: no device,
 * no I/O. Both engines execute plans; the GPU engine is then only staging,
 * dispatch and readback.
 *
 *   spec ─ planRun ──→ RunPlan  ─ CpuEngine ──────────────→ ChunkStats
 *        └ planGpuRun → GpuPlan ─ GpuEngine (WGSL, buffers) → ChunkStats
 */
import { defaultNetworkLayout, pointsInHand, type NetworkLayout } from './mlp-kernel.js';
import { teamRows, teamRowsFit } from './mlp-team.js';
import { gridSize, optimizerVariants, type Spec } from '../experiment/index.js';
import { specObjective, type CompiledObjective, type MlpObjective } from '../objectives/catalogue.js';
import type { Convention, OptimizerName } from '../optimizers/index.js';
import { gridValues, type GridValues } from './grid-values.js';
import { kernelForm, kernelOverrides, kernelWgsl, vectorWidth, type EntryPoint, type KernelOptions } from './kernel.js';
import { stateLayout, type Scratch, type StateLayout } from './records.js';
import { indicesWindow, largestWindow, scheduleLayout, stepBlockLength, type RowWindow, type ScheduleLayout } from './schedule-table.js';
import { runRange, tailWindows, type RunOptions, type TailWindows } from './types.js';

/** Trajectories per chunk of the CPU engine. */
const CPU_CHUNK = 4096;
/** Trajectories per GPU chunk unless the device's limits call for fewer. */
const GPU_CHUNK = 1 << 18;
/** The smallest GPU chunk that `minChunks` asks for (a multiple of every vector width). */
const MIN_STREAMING_CHUNK = 1 << 15;
/** Trajectory-steps per dispatch: keeps each submission short (watchdogs, progress, cancellation). */
const WORK_PER_DISPATCH = 1 << 28;
/** Floats of step-by-step trace output per dispatch. */
const TRACE_BUDGET_FLOATS = 1 << 22;

/** The device limits a plan is sized by. */
export interface DeviceLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

/** What every engine needs to run a spec over a range of its grid. */
export interface RunPlan {
  readonly spec: Spec;
  readonly dims: number;
  readonly steps: number;
  /** Grid indices [begin, end). */
  readonly begin: number;
  readonly end: number;
  readonly windows: TailWindows;
  /** The optimizer–convention pairs of the grid; a cell's variant is optimizer index + optimizers × convention index. */
  readonly variants: readonly { readonly optimizer: OptimizerName; readonly convention: Convention }[];
  readonly schedule: ScheduleLayout;
  /** The most schedule-table rows one chunk reads (tableWindow): each chunk's table holds only its own rows. */
  readonly tableRows: number;
  /** Steps per schedule-table block: a block of a chunk's rows fits the table budget. */
  readonly block: number;
  /** The compiled objective; undefined for the quadratic. */
  readonly objective: CompiledObjective | MlpObjective | undefined;
  /** How the network's kernel runs through its data (src/engine/mlp-kernel.ts); 'points' for other objectives. */
  readonly networkLayout: NetworkLayout;
  /** Invocations per vector of trajectories: the team's size (the device's subgroup size) in the team layout, else 1. */
  readonly team: number;
  /** Whether the teams read the dataset as rows of a uniform buffer (RunOptions.networkRows, where teamRowsFit). */
  readonly teamRows: boolean;
  readonly state: StateLayout;
  /** Trajectories per chunk. */
  readonly chunk: number;
}

/** A range of grid indices and a range of steps. */
export interface Span {
  readonly start: number;
  readonly count: number;
}

/** The chunks of a plan, in grid order. */
export function* chunksOf(plan: Pick<RunPlan, 'begin' | 'end' | 'chunk'>): Generator<Span> {
  for (let start = plan.begin; start < plan.end; start += plan.chunk) yield { start, count: Math.min(plan.chunk, plan.end - start) };
}

/** The schedule-table blocks of a plan: steps [b0, b1). */
export function* blocksOf(plan: Pick<RunPlan, 'steps' | 'block'>): Generator<{ b0: number; b1: number }> {
  for (let b0 = 0; b0 < plan.steps; b0 += plan.block) yield { b0, b1: Math.min(plan.steps, b0 + plan.block) };
}

/**
 * `team`: the device's subgroup size where it is fixed and the team layout
 * can run (src/engine/mlp-team.ts), else 0.
 */
function basePlan(spec: Spec, options: RunOptions, chunk: number, team = 0): RunPlan {
  const { begin, end } = runRange(gridSize(spec), options.range);
  const steps = spec.base.steps;
  const variants = optimizerVariants(spec);
  const schedule = scheduleLayout(spec);
  const objective = specObjective(spec);
  const network = objective && 'config' in objective ? objective : undefined;
  const networkLayout = network ? (options.networkLayout ?? defaultNetworkLayout((end - begin) * steps * batchPoints(network) * spec.dims, team)) : 'points';
  return {
    spec,
    dims: spec.dims,
    steps,
    begin,
    end,
    windows: tailWindows(steps),
    variants,
    schedule,
    // Sized with the chunk (sizedTable).
    tableRows: schedule.tupleCount,
    block: stepBlockLength(schedule.tupleCount, steps, options.tableBudgetFloats),
    objective,
    networkLayout,
    team: networkLayout === 'team' ? team : 1,
    teamRows: networkLayout === 'team' && !!network && !!options.networkRows && teamRowsFit(network.config.width, network.config.dataPoints, team),
    state: stateLayout(spec.dims, variants, kernelForm(spec.dims, objective), objectiveScratch(objective, networkLayout), spec.base.trainability),
    chunk: clampChunk(chunk, begin, end),
  };
}

/** The plan with its chunk's table: the most rows a chunk reads, and the step blocks a table of that many rows allows. */
function sizedTable<P extends RunPlan>(plan: P, budgetFloats?: number): P {
  const rows = largestWindow(plan.spec, plan.schedule, plan.begin, plan.end, plan.chunk);
  return { ...plan, tableRows: rows, block: stepBlockLength(rows, plan.steps, budgetFloats) };
}

/** Data points per gradient of a network. */
function batchPoints(objective: MlpObjective): number {
  return objective.config.minibatch ?? objective.config.dataPoints;
}

/** The wide form's scratch for an objective: the network's hidden layer (z and h of the data points in hand, ∂loss/∂z of every point of the batch). */
function objectiveScratch(objective: CompiledObjective | MlpObjective | undefined, layout: NetworkLayout): Scratch[] {
  if (!objective || !('config' in objective) || layout === 'team') return [];
  const { width } = objective.config;
  const inHand = width * pointsInHand(layout);
  return [{ name: 'z', words: inHand }, { name: 'h', words: inHand }, { name: 'dz', words: width * batchPoints(objective) }];
}

/** Trajectories per chunk: at least one, at most the range. */
function clampChunk(chunk: number, begin: number, end: number): number {
  return Math.max(1, Math.min(chunk, Math.max(1, end - begin)));
}

/** The CPU engine's plan. */
export function planRun(spec: Spec, options: RunOptions = {}): RunPlan {
  return sizedTable(basePlan(spec, options, options.chunkSize ?? CPU_CHUNK), options.tableBudgetFloats);
}

/** A kernel and the pipeline constants it runs with. */
export interface KernelPlan {
  readonly options: KernelOptions;
  /** Lanes per vector, and vectors per invocation. */
  readonly width: 1 | 2 | 4;
  readonly groups: number;
  readonly wgsl: string;
  readonly entryPoint: EntryPoint;
  readonly overrides: Record<string, number>;
  /** Keys of the compiled module and of the pipeline (module plus entry point and overrides). */
  readonly moduleKey: string;
  readonly pipelineKey: string;
  readonly grid: GridValues;
  /** The network's dataset as the rows the team layout reads from a uniform buffer, where it does (src/engine/mlp-team.ts). */
  readonly networkRows?: Float32Array<ArrayBuffer>;
}

export interface GpuPlan extends RunPlan {
  readonly kernel: KernelPlan;
  /** Trajectories a chunk's buffers hold (whole invocations). */
  readonly paddedChunk: number;
  /** Most steps one dispatch advances. */
  readonly dispatchSteps: number;
}

export interface TracePlan extends RunPlan {
  readonly kernel: KernelPlan;
  readonly indices: readonly number[];
  /** Vectors (one per invocation) and the trajectories they hold. */
  readonly vectors: number;
  readonly padded: number;
  /** Steps per dispatch; each dispatch records block + 1 rows per trajectory. */
  readonly traceBlock: number;
  /** The schedule-table rows the traced trajectories read. */
  readonly traceRows: RowWindow;
}

/** 53-bit string hash (cyrb53): keys for the pipeline cache. */
export function hashText(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

function kernelPlan(plan: RunPlan, options: KernelOptions, entryPoint: EntryPoint, rowShared: boolean): KernelPlan {
  const grid = gridValues(plan.spec, plan.variants, plan.schedule, plan.objective && 'config' in plan.objective ? plan.objective.kernelData(plan.steps) : []);
  const wgsl = kernelWgsl({ spec: plan.spec, variants: plan.variants, schedule: plan.schedule, state: plan.state, fixed: grid.fixed, objective: plan.objective, lanes: options.lanes, networkLayout: plan.networkLayout, team: plan.team, teamRows: plan.teamRows });
  const overrides = kernelOverrides(entryPoint, options, rowShared, plan.state.form);
  const moduleKey = `${hashText(wgsl)}:${wgsl.length}`;
  const network = plan.teamRows && plan.objective && 'config' in plan.objective ? plan.objective : undefined;
  return {
    ...(network ? { networkRows: teamRows(network.data, network.config.width, network.config.dataPoints) } : {}),
    options,
    width: vectorWidth(options.lanes),
    groups: options.lanes / vectorWidth(options.lanes),
    wgsl,
    entryPoint,
    overrides,
    moduleKey,
    pipelineKey: `${moduleKey}|${entryPoint}|${JSON.stringify(overrides)}`,
    grid,
  };
}

/**
 * Whether the lanes of every invocation share one schedule-table row: true
 * when the first axis (the fastest) is not a schedule axis, its length is a
 * whole number of vectors, and chunks start on whole vectors.
 */
export function rowsShared(plan: RunPlan, lanes: number): boolean {
  if (plan.schedule.tupleCount === 1 || lanes === 1) return true;
  const first = plan.spec.axes[0];
  return !!first && !plan.schedule.tupleAxes.includes(0) && first.values.length % lanes === 0 && plan.chunk % lanes === 0 && plan.begin % lanes === 0;
}

/**
 * The kernel options a plan runs with: the wide form steps one vector (at
 * most four lanes) per invocation, so eight lanes become four; a team steps
 * one trajectory, in workgroups of whole teams.
 */
export function fittedKernel(plan: RunPlan, kernel: KernelOptions): KernelOptions {
  if (plan.networkLayout === 'team') return { ...kernel, lanes: 1, workgroupSize: Math.ceil(kernel.workgroupSize / plan.team) * plan.team };
  return plan.state.form === 'wide' && kernel.lanes === 8 ? { ...kernel, lanes: 4 } : kernel;
}

/**
 * A step's work relative to a one-dimensional quadratic's, roughly: the
 * dimensions, times the data points for the network. Dispatches are sized by
 * it, so that one dispatch of a 1,000-dimension grid is no longer than one of a
 * one-dimensional grid.
 */
export function stepCost(plan: RunPlan): number {
  const points = plan.objective && 'config' in plan.objective ? batchPoints(plan.objective) : 1;
  return Math.max(1, plan.dims * points);
}

/** The GPU chunk unless asked otherwise: GPU_CHUNK, or smaller (not below MIN_STREAMING_CHUNK) to make `minChunks` of the range. */
function gpuChunk(plan: RunPlan, minChunks = 1): number {
  const streaming = Math.ceil((plan.end - plan.begin) / minChunks / MIN_STREAMING_CHUNK) * MIN_STREAMING_CHUNK;
  return Math.min(GPU_CHUNK, Math.max(MIN_STREAMING_CHUNK, streaming));
}

/** The GPU engine's plan of a sweep: chunks sized to the device's limits, dispatches of bounded work; `team` as for basePlan. */
export function planGpuRun(spec: Spec, options: RunOptions, requested: KernelOptions, limits: DeviceLimits, team = 0): GpuPlan {
  if (options.networkLayout === 'team' && !team) throw new Error('networkLayout: the team layout needs a device whose subgroups have one fixed size and hold consecutive invocations (WebGPU feature "subgroups"); this device’s do not, so use "points" or "blocks"');
  const sizing = basePlan(spec, options, 1, team); // the chunk is sized below, from the state's words
  const kernel = fittedKernel(sizing, requested);
  const lanes = kernel.lanes;
  const words = sizing.state.words;
  const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const maxByState = Math.max(lanes, Math.floor(maxBinding / (4 * words) / lanes) * lanes);
  const plan = sizedTable({ ...sizing, chunk: clampChunk(Math.min(options.chunkSize ?? gpuChunk(sizing, options.minChunks), maxByState), sizing.begin, sizing.end) }, options.tableBudgetFloats);
  const dispatchSteps = Math.max(1, Math.min(plan.block, options.stepsPerDispatch ?? Math.floor(WORK_PER_DISPATCH / (plan.chunk * stepCost(plan)))));
  return {
    ...plan,
    kernel: kernelPlan(plan, kernel, 'advance', rowsShared(plan, lanes)),
    paddedChunk: Math.ceil(plan.chunk / lanes) * lanes,
    dispatchSteps,
  };
}

/** The GPU engine's plan of a trace: one vector per invocation, recorded block by block. */
export function planGpuTrace(spec: Spec, indices: readonly number[], options: RunOptions, requested: KernelOptions): TracePlan {
  // A trace follows a few trajectories: point by point unless asked for blocks, whatever the grid's size (the team layout has no trace).
  const plan = basePlan(spec, { networkLayout: options.networkLayout === 'blocks' ? 'blocks' : 'points' }, Math.max(1, indices.length));
  const kernel = fittedKernel(plan, requested);
  const width = vectorWidth(kernel.lanes);
  const vectors = Math.ceil(indices.length / width);
  const padded = vectors * width;
  const rowFloats = plan.dims + 1;
  const traceRows = indicesWindow(spec, plan.schedule, indices);
  const traceBlock = Math.max(1, Math.min(stepBlockLength(traceRows.count, plan.steps, options.tableBudgetFloats), options.stepsPerDispatch ?? Infinity, Math.floor(TRACE_BUDGET_FLOATS / (padded * rowFloats)) - 1));
  return { ...plan, kernel: kernelPlan(plan, kernel, 'trace', false), indices, vectors, padded, traceBlock, traceRows, tableRows: traceRows.count, block: traceBlock };
}

