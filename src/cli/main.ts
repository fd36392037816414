/**
 * The `lrscope` command line: `trace`, `sweep`, `bifurcation` and `doctor`.
 *
 * `main` takes its arguments and I/O as parameters and returns the exit code,
 * so tests run it in-process. Exit codes: 0 done, 1 failed, 2 bad input,
 * 3 no WebGPU adapter, 130 cancelled.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CancelledError, NoAdapterError, SpecError } from '../errors.js';
import { formatFloat32 } from '../float32.js';
import { CpuEngine } from '../engine/cpu.js';
import type { Engine, Trace } from '../engine/types.js';
import { MapBuilder } from '../output/map.js';
import { CsvWriter } from '../output/csv.js';
import { JsonWriter } from '../output/json.js';
import type { TextSink } from '../output/sink.js';
import { describeRun, summaryText } from '../output/summary.js';
import { acceptedForms, PARAM_KEYS, PARAMS, keyOfFlag, type ParamGroup, type ParamKey } from '../experiment/params.js';
import { gridSize, parseSpec, type RawValue, type Spec, type SpecInput } from '../experiment/index.js';
import { addCounts, emptyCounts, sweep } from '../sweep.js';
import { bifurcation, checkBifurcationSpec, parseComponent, parseTail, type Bifurcation } from '../bifurcation.js';
import { bifurcationSummary, writeBifurcationCsv, writeBifurcationJson } from '../output/bifurcation.js';
import { AtomicFile } from '../node/files.js';
import { createNodeGpuEngine } from '../node/gpu.js';
import { applyTunedKernel, cachedKernel } from '../node/tuning.js';
import { parseKernelOption } from '../engine/tune.js';
import type { KernelOptions } from '../engine/kernel.js';
import { doctorReport } from './doctor.js';
import { ProgressBar } from './progress.js';

export interface CliIO {
  readonly stdout: TextSink;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bars are drawn only there). */
  readonly stderrIsTTY: boolean;
  readonly columns?: number;
  /** Cancels the running command (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Makes the engine; tests pass one that reuses a device. */
  readonly createEngine?: (kind: 'gpu' | 'cpu') => Promise<Engine>;
}

export const EXIT = { ok: 0, failed: 1, badInput: 2, noGpu: 3, cancelled: 130 } as const;

const GROUP_TITLES: Record<ParamGroup, string> = {
  objective: 'Objective and initial point:',
  optimizer: 'Optimizer:',
  schedule: 'Learning-rate schedule:',
  run: 'Run:',
};

const TRACE_COLUMNS = ['lr', 'step', 'w', 'loss'] as const;
type TraceColumn = (typeof TRACE_COLUMNS)[number];

function specOptions(command: Command): Command {
  for (const key of PARAM_KEYS) {
    const def = PARAMS[key];
    const flag = def.type === 'boolean' ? `--${def.flag} [bool]` : `--${def.flag} <value>`;
    command.addOption(new Option(flag, def.help).helpGroup(GROUP_TITLES[def.group]));
  }
  command.addOption(
    new Option('--spec <file>', 'read the spec from a JSON file (flags add to it and override it)').helpGroup(GROUP_TITLES.run),
  );
  command.addOption(
    new Option('--engine <engine>', 'gpu (WebGPU, default) or cpu (the float32 reference)').helpGroup('Engine:').default('gpu'),
  );
  return command;
}

/** Flags in the order given: the order sets the grid's axes (first = x). */
function flagOrder(argv: readonly string[]): ParamKey[] {
  const order: ParamKey[] = [];
  for (const token of argv) {
    if (!token.startsWith('--')) continue;
    const name = token.slice(2).split('=')[0]!;
    const key = keyOfFlag(name);
    if (!key) continue;
    if (order.includes(key)) throw new SpecError(`--${name}`, 'is given twice', 'each flag once (a list like 0.1,0.2 sweeps several values)');
    order.push(key);
  }
  return order;
}

function readSpecFile(path: string): Record<string, RawValue> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpecError('--spec', `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'a readable JSON file');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const reason = (e as Error).message.replace(/\s+/g, ' ').slice(0, 100);
    throw new SpecError('--spec', `${path} is not valid JSON (${reason})`, 'a JSON object like {"lr": "0.01:1:64"}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SpecError('--spec', `${path} does not hold a JSON object`, 'a JSON object like {"lr": "0.01:1:64"}');
  }
  return value as Record<string, RawValue>;
}

/** The spec input from a command's flags (and --spec file), with the command's default step count. */
function specInput(command: Command, argv: readonly string[], defaultSteps: number): SpecInput {
  const options = command.opts() as Record<string, unknown>;
  const fromFile = typeof options.spec === 'string' ? readSpecFile(options.spec) : {};
  const input: Record<string, RawValue> = { ...fromFile };
  for (const key of flagOrder(argv)) {
    const value = options[key];
    if (value === undefined) continue;
    input[key] = value as RawValue;
  }
  if (input.steps === undefined) input.steps = defaultSteps;
  return input as SpecInput;
}

function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new SpecError(flag, `"${value}" is not accepted`, `one of ${choices.join(', ')}`);
  return value as T;
}

/** The kernel shape a sweep asks for: tuned for the adapter, the built-in default, or given. */
type KernelChoice = { kind: 'auto' } | { kind: 'default' } | { kind: 'given'; options: Partial<KernelOptions> };

function parseKernelChoice(text: string | undefined): KernelChoice {
  if (text === undefined || text === 'auto') return { kind: 'auto' };
  if (text === 'default') return { kind: 'default' };
  try {
    return { kind: 'given', options: parseKernelOption(text) };
  } catch {
    throw new SpecError('--kernel', `"${text}" is not accepted`, 'auto, default, or a shape like lanes=4,workgroup=64,block=256 (lanes 1, 2, 4 or 8)');
  }
}

async function makeEngine(io: CliIO, kind: 'gpu' | 'cpu', kernel: KernelChoice = { kind: 'default' }): Promise<Engine> {
  if (io.createEngine) return io.createEngine(kind);
  if (kind === 'cpu') return new CpuEngine();
  const engine = await createNodeGpuEngine(kernel.kind === 'given' ? { kernel: kernel.options } : {});
  if (kernel.kind === 'auto') {
    const cached = cachedKernel(engine);
    if (!cached && io.stderrIsTTY) io.stderr('lrscope: tuning the kernel for this adapter (once; the choice is cached)…\r');
    await applyTunedKernel(engine);
    if (!cached && io.stderrIsTTY) io.stderr('\r\x1b[K');
  }
  return engine;
}

function openOut(path: string): AtomicFile {
  try {
    return new AtomicFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new SpecError('--out', `cannot write ${path} (${code})`, 'a file path in a writable directory');
  }
}

function progressFor(io: CliIO, label: string): ProgressBar | undefined {
  return io.stderrIsTTY ? new ProgressBar(io.stderr, label, io.columns) : undefined;
}

/**
 * Runs a command's work with an engine and its --out file (if one is given):
 * the engine is released afterwards, and the file is kept only if the work
 * succeeded, so a failure or Ctrl-C leaves nothing half-written.
 */
async function withEngineAndOut<T>(
  io: CliIO,
  path: string | undefined,
  engineKind: 'gpu' | 'cpu',
  kernel: KernelChoice | undefined,
  work: (engine: Engine, out: AtomicFile | undefined) => Promise<T>,
): Promise<T> {
  const out = path ? openOut(path) : undefined;
  try {
    const engine = await makeEngine(io, engineKind, kernel);
    let result: T;
    try {
      result = await work(engine, out);
    } finally {
      if (!io.createEngine) engine.dispose();
    }
    out?.commit();
    return result;
  } catch (e) {
    out?.discard();
    throw e;
  }
}

// ---------------------------------------------------------------- trace

async function runTrace(command: Command, argv: readonly string[], io: CliIO): Promise<number> {
  const options = command.opts() as Record<string, string | undefined>;
  const spec = parseSpec(specInput(command, argv, 40), 'flag');
  if (spec.axes.length > 0) {
    const axis = spec.axes[0]!;
    throw new SpecError(`--${PARAMS[axis.key].flag}`, 'trace follows one trajectory', 'one value (lrscope sweep takes lists and ranges)');
  }
  const engineKind = parseChoice('--engine', options.engine ?? 'gpu', ['gpu', 'cpu'] as const);
  const format = parseChoice('--format', options.format ?? 'plain', ['plain', 'csv', 'json'] as const);
  const columns = (options.columns ?? 'lr,step,w,loss').split(',').map((c) => c.trim());
  for (const c of columns) {
    if (!(TRACE_COLUMNS as readonly string[]).includes(c)) {
      throw new SpecError('--columns', `"${c}" is not a column`, `a comma-separated list of ${TRACE_COLUMNS.join(', ')}`);
    }
  }
  await withEngineAndOut(io, options.out, engineKind, undefined, async (engine, out) => {
    const [trace] = await engine.trace(spec, [0], { signal: io.signal });
    await writeTrace(out ?? io.stdout, spec, trace!, columns as TraceColumn[], format, engine);
  });
  return EXIT.ok;
}

async function writeTrace(sink: TextSink, spec: Spec, trace: Trace, columns: TraceColumn[], format: 'plain' | 'csv' | 'json', engine: Engine): Promise<void> {
  const dims = spec.dims;
  const names = columns.flatMap((c) => (c === 'w' && dims > 1 ? Array.from({ length: dims }, (_, d) => `w[${d}]`) : [c]));
  const row = (k: number): string[] =>
    columns.flatMap((c) => {
      if (c === 'step') return [String(k)];
      if (c === 'lr') return [formatFloat32(trace.lr[k]!)];
      if (c === 'loss') return [formatFloat32(trace.loss[k]!)];
      return Array.from({ length: dims }, (_, d) => formatFloat32(trace.w[k * dims + d]!));
    });
  const steps = spec.base.steps;
  if (format === 'json') {
    await sink.write(`{"spec":${JSON.stringify(spec.input)},"engine":${JSON.stringify(engine.description)},"columns":${JSON.stringify(names)},"rows":[`);
    const lines: string[] = [];
    for (let k = 1; k <= steps; k++) {
      const values = row(k).map((v, i) => (names[i] === 'step' ? v : /^-?(inf|nan)$/.test(v) ? 'null' : v));
      lines.push(`${k === 1 ? '\n' : ',\n'}[${values.join(',')}]`);
      if (lines.length >= 4096) await sink.write(lines.splice(0).join(''));
    }
    await sink.write(`${lines.join('')}\n]}\n`);
    return;
  }
  const separator = format === 'csv' ? ',' : ' ';
  let block = format === 'csv' ? `${names.join(',')}\n` : '';
  for (let k = 1; k <= steps; k++) {
    block += `${row(k).join(separator)}\n`;
    if (block.length > 1 << 16) {
      await sink.write(block);
      block = '';
    }
  }
  await sink.write(block);
}

// ---------------------------------------------------------------- sweep

async function runSweep(command: Command, argv: readonly string[], io: CliIO): Promise<number> {
  const options = command.opts() as Record<string, string | undefined>;
  const spec = parseSpec(specInput(command, argv, 1000), 'flag');
  const engineKind = parseChoice('--engine', options.engine ?? 'gpu', ['gpu', 'cpu'] as const);
  const kernel = parseKernelChoice(options.kernel);
  const format = parseChoice('--format', options.format ?? 'summary', ['summary', 'json', 'csv', 'png'] as const);
  if (format === 'png') {
    if (spec.axes.length === 0 || spec.axes.length > 2) {
      const swept = spec.axes.map((a) => a.name).join(', ') || 'nothing';
      throw new SpecError('--format', `png maps one or two swept axes, and this grid sweeps ${swept}`, 'a sweep of one or two parameters');
    }
    if (!options.out) throw new SpecError('--out', 'png needs a file to write', 'a path like map.png');
  }
  const theory = (options as { theory?: boolean }).theory !== false;
  const summary = await withEngineAndOut(io, options.out, engineKind, kernel, (engine, out) => executeSweep(spec, engine, format, out, io, theory));
  if (format === 'summary' || options.out) await io.stdout.write(summary);
  return EXIT.ok;
}

async function executeSweep(
  spec: Spec,
  engine: Engine,
  format: 'summary' | 'json' | 'csv' | 'png',
  out: AtomicFile | undefined,
  io: CliIO,
  theory: boolean,
): Promise<string> {
  const total = gridSize(spec);
  const sink: TextSink = out ?? io.stdout;
  const writer =
    format === 'json'
      ? new JsonWriter(sink, spec, { engine: engine.description })
      : format === 'csv'
        ? new CsvWriter(sink, spec)
        : undefined;
  const map = format === 'png' ? new MapBuilder(spec) : undefined;
  const counts = emptyCounts();
  const progress = progressFor(io, `${total} trajectories`);
  const started = performance.now();
  await writer?.begin();
  // Regimes in grid order for the summary: changes along one axis, the boundary's dimension on a map.
  const regimes = spec.axes.length === 1 || spec.axes.length === 2 ? new Uint8Array(total) : undefined;
  try {
    for await (const chunk of sweep(spec, engine, { signal: io.signal, onProgress: (p) => progress?.update(p) })) {
      addCounts(counts, chunk);
      await writer?.chunk(chunk);
      map?.add(chunk);
      regimes?.set(chunk.regime, chunk.start);
    }
  } finally {
    progress?.clear();
  }
  const seconds = (performance.now() - started) / 1000;
  await writer?.end(counts);
  const summary = summaryText(spec, engine, counts, seconds, regimes);
  if (map && out) {
    const { renderMapPng } = await import('../node/png.js');
    out.write(renderMapPng(spec, map.raster(), { engine: describeRun(engine), counts, theory }));
  }
  if (format === 'summary' && out) out.write(summary);
  return summary;
}

// ---------------------------------------------------------------- bifurcation

async function runBifurcation(command: Command, argv: readonly string[], io: CliIO): Promise<number> {
  const options = command.opts() as Record<string, string | undefined>;
  const spec = parseSpec(specInput(command, argv, 1000), 'flag');
  checkBifurcationSpec(spec, 'flag');
  const tail = parseTail(options.tail, spec, 'flag');
  const component = parseComponent(options.component, spec, 'flag');
  const engineKind = parseChoice('--engine', options.engine ?? 'gpu', ['gpu', 'cpu'] as const);
  const format = parseChoice('--format', options.format ?? 'summary', ['summary', 'json', 'csv', 'png'] as const);
  if (format === 'png' && !options.out) throw new SpecError('--out', 'png needs a file to write', 'a path like bifurcation.png');
  const summary = await withEngineAndOut(io, options.out, engineKind, undefined, async (engine, out) => {
    const progress = progressFor(io, `${spec.axes[0]?.values.length ?? 1} learning rates`);
    const started = performance.now();
    let result: Bifurcation;
    try {
      result = await bifurcation(spec, engine, { tail, component, signal: io.signal, onProgress: (p) => progress?.update(p) });
    } finally {
      progress?.clear();
    }
    const text = bifurcationSummary(result, engine, (performance.now() - started) / 1000);
    const sink: TextSink = out ?? io.stdout;
    if (format === 'json') await writeBifurcationJson(sink, result, engine);
    else if (format === 'csv') await writeBifurcationCsv(sink, result);
    else if (format === 'png') {
      const { renderBifurcationPng } = await import('../node/bifurcation-png.js');
      out!.write(renderBifurcationPng(result, { engine: describeRun(engine) }));
    } else if (out) out.write(text);
    return text;
  });
  if (format === 'summary' || options.out) await io.stdout.write(summary);
  return EXIT.ok;
}

// ---------------------------------------------------------------- doctor

async function runDoctor(command: Command, io: CliIO): Promise<number> {
  const { text, ok } = await doctorReport({ tune: Boolean((command.opts() as { tune?: boolean }).tune) });
  await io.stdout.write(text);
  return ok ? EXIT.ok : EXIT.noGpu;
}

// ---------------------------------------------------------------- main

function program(io: CliIO, argv: readonly string[], result: { run?: () => Promise<number> }): Command {
  const root = new Command('lrscope')
    .description('Maps where a learning rate stops working: gradient-descent trajectories on WebGPU, classified as converged, converging, oscillating, stalled or diverged.')
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => io.stderr(s),
      outputError: () => {},
    });

  const trace = specOptions(root.command('trace').description('print one trajectory step by step, as the seed prints it'));
  trace.addOption(new Option('--columns <list>', `columns to print, from ${TRACE_COLUMNS.join(', ')} (default lr,step,w,loss)`).helpGroup('Output:'));
  trace.addOption(new Option('--format <format>', 'plain (space-separated, no header; default), csv or json').helpGroup('Output:'));
  trace.addOption(new Option('--out <file>', 'write to this file instead of stdout').helpGroup('Output:'));
  trace.exitOverride().action(() => {
    result.run = () => runTrace(trace, argv, io);
  });

  const sweepCmd = specOptions(root.command('sweep').description('run a grid of trajectories and classify each one'));
  sweepCmd.addOption(new Option('--format <format>', 'summary (default), json, csv or png').helpGroup('Output:'));
  sweepCmd.addOption(new Option('--out <file>', 'write json, csv or png to this file (the summary still goes to stdout)').helpGroup('Output:'));
  sweepCmd.addOption(new Option('--no-theory', 'leave the analytic boundary off the png map').helpGroup('Output:'));
  sweepCmd.addOption(
    new Option('--kernel <shape>', 'auto (tuned once per adapter, default), default, or lanes=1|2|4|8,workgroup=N,block=N').helpGroup('Engine:'),
  );
  sweepCmd.exitOverride().action(() => {
    result.run = () => runSweep(sweepCmd, argv, io);
  });

  const bifurcationCmd = specOptions(
    root.command('bifurcation').description('for each learning rate of a sweep over --lr, the last iterates of w: period doubling and chaos'),
  );
  bifurcationCmd.addOption(new Option('--tail <count>', 'how many final iterates to keep per learning rate, 1 to --steps (default 100, or --steps if fewer)').helpGroup('Output:'));
  bifurcationCmd.addOption(new Option('--component <index>', 'which coordinate of w to plot for an n-D objective (default 0)').helpGroup('Output:'));
  bifurcationCmd.addOption(new Option('--format <format>', 'summary (default: the period along lr), json, csv (lr,step,w) or png').helpGroup('Output:'));
  bifurcationCmd.addOption(new Option('--out <file>', 'write json, csv or png to this file (the summary still goes to stdout)').helpGroup('Output:'));
  bifurcationCmd.exitOverride().action(() => {
    result.run = () => runBifurcation(bifurcationCmd, argv, io);
  });

  const doctor = root.command('doctor').description('report the WebGPU adapter, or say what to install');
  doctor.option('--tune', 'time every kernel shape on this adapter and cache the fastest');
  doctor.exitOverride().action(() => {
    result.run = () => runDoctor(doctor, io);
  });

  for (const command of [trace, sweepCmd, bifurcationCmd, doctor]) {
    command.configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => io.stderr(s), outputError: () => {} });
    command.showSuggestionAfterError(true);
  }
  return root;
}

declare const __LRSCOPE_VERSION__: string | undefined;
const VERSION = typeof __LRSCOPE_VERSION__ === 'string' ? __LRSCOPE_VERSION__ : '0.0.0-dev';

/** One line for a commander error: the flag, what is wrong, what to do. */
function commanderMessage(error: CommanderError, argv: readonly string[]): string {
  const message = error.message.replace(/^error: /, '').split('\n');
  const command = argv[0] && !argv[0].startsWith('-') ? `lrscope ${argv[0]}` : 'lrscope';
  const hint = message[1]?.replace(/^\(|\)$/g, '');
  switch (error.code) {
    case 'commander.unknownOption': {
      const flag = /'([^']+)'/.exec(message[0]!)?.[1] ?? 'option';
      return `${flag}: is not a flag of ${command}${hint ? ` (${hint.toLowerCase()})` : ''}; see ${command} --help`;
    }
    case 'commander.optionMissingArgument': {
      const flag = /'(--[\w-]+)/.exec(message[0]!)?.[1] ?? 'option';
      const key = keyOfFlag(flag.slice(2));
      const accepted = key ? acceptedForms(PARAMS[key]) : 'a value';
      return `${flag}: a value is missing; expected ${accepted}`;
    }
    case 'commander.unknownCommand':
    case 'commander.excessArguments': {
      const word = /'([^']+)'/.exec(message[0]!)?.[1] ?? argv[0];
      return `${word}: is not a command of lrscope${hint ? ` (${hint.toLowerCase()})` : ''}; expected trace, sweep, bifurcation or doctor`;
    }
    default:
      return message.join(' ');
  }
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const result: { run?: () => Promise<number> } = {};
  const root = program(io, argv, result);
  try {
    if (argv.length === 0) {
      await io.stdout.write(root.helpInformation());
      return EXIT.ok;
    }
    await root.parseAsync(argv as string[], { from: 'user' });
    if (!result.run) return EXIT.ok;
    return await result.run();
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      io.stderr(`lrscope: ${commanderMessage(e, argv)}\n`);
      return EXIT.badInput;
    }
    if (e instanceof SpecError) {
      io.stderr(`lrscope: ${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof NoAdapterError) {
      io.stderr(`lrscope: ${e.message}\n`);
      return EXIT.noGpu;
    }
    if (e instanceof CancelledError) {
      io.stderr('lrscope: cancelled; no output file was written\n');
      return EXIT.cancelled;
    }
    io.stderr(`lrscope: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.LRSCOPE_DEBUG) io.stderr(`${(e as Error).stack}\n`);
    return EXIT.failed;
  }
}
