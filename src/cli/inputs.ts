/**
 * From flags to values: the spec's flags (one per parameter of
 * src/experiment/params.ts, grouped in --help), a --spec file, and the
 * choices every command shares. Each bad value is a SpecError naming the flag.
 */
import { loadMathjsFor } from '../objectives/load-mathjs.js';
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { SpecError } from '../errors.js';
import { parseKernelOption } from '../engine/tune.js';
import type { KernelOptions } from '../engine/kernel.js';
import { keyOfFlag, PARAM_KEYS, PARAMS, type ParamGroup, type ParamKey, type RawValue, type SpecInput } from '../experiment/index.js';

const GROUP_TITLES: Record<ParamGroup, string> = {
  objective: 'Objective and initial point:',
  optimizer: 'Optimizer:',
  schedule: 'Learning-rate schedule:',
  run: 'Run:',
};

/** Adds a flag per spec parameter, --spec and --engine to a command. */
export function specOptions(command: Command): Command {
  for (const key of PARAM_KEYS) {
    const def = PARAMS[key];
    const flag = def.type === 'boolean' ? `--${def.flag} [bool]` : `--${def.flag} <value>`;
    command.addOption(new Option(flag, def.help).helpGroup(GROUP_TITLES[def.group]));
  }
  command.addOption(new Option('--spec <file>', 'read the spec from a JSON file (flags add to it and override it)').helpGroup(GROUP_TITLES.run));
  command.addOption(
    new Option('--engine <engine>', 'auto (the GPU where WebGPU finds an adapter, else the CPU), gpu (WebGPU, or exit 3) or cpu (the float32 reference)')
      .helpGroup('Engine:')
      .default('auto'),
  );
  return command;
}

/** The flags given, in order (a lone -- ends them). */
function flagsOf(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).filter((t) => t.startsWith('--') && t.length > 2).map((t) => t.slice(2).split('=')[0]!);
}

/** Every flag at most once: a repeated one is refused rather than silently overriding the first. */
export function checkRepeatedFlags(argv: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of flagsOf(argv)) {
    if (seen.has(name)) throw new SpecError(`--${name}`, 'is given twice', 'each flag once (a list like 0.1,0.2 sweeps several values)');
    seen.add(name);
  }
}

/** Spec flags in the order given: the order sets the grid's axes (first = x). */
function flagOrder(argv: readonly string[]): ParamKey[] {
  return flagsOf(argv).flatMap((name) => keyOfFlag(name) ?? []);
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

/**
 * The spec input from a command's flags (and --spec file), with the command's default step count.
 * mathjs is loaded here when the objective is a formula, so that parseSpec can compile it.
 */
export async function specInput(command: Command, argv: readonly string[], defaultSteps: number): Promise<SpecInput> {
  const options = command.opts() as Record<string, unknown>;
  const fromFile = typeof options.spec === 'string' ? readSpecFile(options.spec) : {};
  const input: Record<string, RawValue> = { ...fromFile };
  for (const key of flagOrder(argv)) {
    const value = options[key];
    if (value === undefined) continue;
    input[key] = value as RawValue;
  }
  if (input.steps === undefined) input.steps = defaultSteps;
  await loadMathjsFor(input);
  return input as SpecInput;
}

export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new SpecError(flag, `"${value}" is not accepted`, `one of ${choices.join(', ')}`);
  return value as T;
}

/** The formats a file's extension names. */
const EXTENSIONS: Record<string, string> = { '.png': 'png', '.csv': 'csv', '.json': 'json', '.txt': 'summary', '.arrow': 'arrow', '.feather': 'arrow', '.lrpart': 'part' };

/**
 * The output format: --format, or what the --out file's extension names
 * (map.png is a PNG), or the command's default. A --format that contradicts
 * the extension is refused rather than writing a file its name misdescribes.
 */
export function parseFormat<T extends string>(options: { readonly format?: string; readonly out?: string }, formats: readonly T[], fallback: T): T {
  const match = options.out && options.out !== '-' ? /\.[A-Za-z]+$/.exec(options.out)?.[0]?.toLowerCase() : undefined;
  const named = match ? EXTENSIONS[match] : undefined;
  const implied = named && (formats as readonly string[]).includes(named) ? (named as T) : undefined;
  if (options.format === undefined) return implied ?? fallback;
  const format = parseChoice('--format', options.format, formats);
  if (implied && implied !== format) {
    throw new SpecError('--format', `${format} does not match --out ${options.out}, which names ${implied}`, `--format ${implied}, or a file name that ends in .${format === 'summary' ? 'txt' : format === 'part' ? 'lrpart' : format}`);
  }
  return format;
}

/** Which engine a command runs on: `auto` is the GPU engine where there is an adapter, else the CPU engine. */
export type EngineChoice = 'auto' | 'gpu' | 'cpu';

export function parseEngineKind(options: { readonly engine?: unknown }): EngineChoice {
  return parseChoice('--engine', String(options.engine ?? 'auto'), ['auto', 'gpu', 'cpu'] as const);
}

/** The kernel shape a sweep asks for: tuned for the adapter, the built-in default, or given. */
export type KernelChoice = { kind: 'auto' } | { kind: 'default' } | { kind: 'given'; options: Partial<KernelOptions> };

export function parseKernelChoice(text: string | undefined): KernelChoice {
  if (text === undefined || text === 'auto') return { kind: 'auto' };
  if (text === 'default') return { kind: 'default' };
  try {
    return { kind: 'given', options: parseKernelOption(text) };
  } catch {
    throw new SpecError('--kernel', `"${text}" is not accepted`, 'auto, default, or a shape like lanes=4,workgroup=64,block=256 (lanes 1, 2, 4 or 8)');
  }
}
