/**
 * What every command does around its work: make the engine (tuned when
 * asked), open the --out file so that it is either complete or absent, draw
 * progress on a terminal, and release the engine afterwards.
 */
import { NoAdapterError, oneLine, SpecError, throwIfAborted } from '../errors.js';
import { CpuEngine } from '../engine/cpu.js';
import type { Engine } from '../engine/types.js';
import { openOutput, OutputPathError, type OutputFile } from '../node/files.js';
import { createNodeGpuEngine, INSTALL_HINT_SHORT } from '../node/gpu.js';
import { applyTunedKernel, cachedKernel } from '../node/tuning.js';
import type { EngineChoice, KernelChoice } from './inputs.js';
import type { CliIO } from './io.js';
import { ProgressBar } from './progress.js';

/**
 * The engine asked for. `auto` is the GPU engine where WebGPU finds an
 * adapter, else the CPU reference engine (same results, slower), with one
 * line on stderr that says so and how to get the GPU.
 */
async function makeEngine(io: CliIO, kind: EngineChoice, kernel: KernelChoice = { kind: 'default' }): Promise<Engine> {
  if (kind === 'auto') {
    try {
      return await makeEngine(io, 'gpu', kernel);
    } catch (e) {
      if (!(e instanceof NoAdapterError)) throw e;
      const reason = oneLine(e.message.split('\n')[0]!.replace(/\.$/, ''));
      io.stderr(`lrscope: ${reason}; running on the CPU reference engine (same results, slower); ${INSTALL_HINT_SHORT}\n`);
      return makeEngine(io, 'cpu');
    }
  }
  if (io.createEngine) return io.createEngine(kind);
  if (kind === 'cpu') return new CpuEngine();
  const engine = await createNodeGpuEngine({ muteDiscovery: true, ...(kernel.kind === 'given' ? { kernel: kernel.options } : {}) });
  if (kernel.kind === 'auto') {
    const cached = cachedKernel(engine);
    if (!cached && io.stderrIsTTY) io.stderr('lrscope: tuning the kernel for this adapter (once; the choice is cached)…\r');
    await applyTunedKernel(engine, { note: (line) => io.stderr(`${line}\n`) });
    if (!cached && io.stderrIsTTY) io.stderr('\r\x1b[K');
  }
  return engine;
}

/** `-` is stdout; anything else goes through openOutput (a file written atomically, or a device or FIFO as a stream). */
function openOut(io: CliIO, path: string): OutputFile {
  if (path === '-') return { path, write: (data) => void io.stdout.write(data), commit: () => {}, discard: () => {} };
  try {
    return openOutput(path);
  } catch (e) {
    if (e instanceof OutputPathError) throw new SpecError('--out', e.message, 'a file in a folder you can write to, a device like /dev/null, or - for stdout');
    throw e;
  }
}

export function progressFor(io: CliIO, label: string): ProgressBar | undefined {
  return io.stderrIsTTY ? new ProgressBar(io.stderr, label, io.columns) : undefined;
}

/**
 * Runs a command's work with its --out file (if one is given), kept only if
 * the work succeeded and was not interrupted, so a failure or Ctrl-C leaves
 * nothing half-written and an existing file as it was.
 */
export async function withOut<T>(io: CliIO, path: string | undefined, work: (out: OutputFile | undefined) => Promise<T>): Promise<T> {
  const out = path ? openOut(io, path) : undefined;
  try {
    const result = await work(out);
    // An interrupted command replaces nothing, even where its output got written in full.
    throwIfAborted(io.signal);
    out?.commit();
    return result;
  } catch (e) {
    out?.discard();
    throw e;
  }
}

/** withOut, with an engine made for the work and released afterwards. */
export async function withEngineAndOut<T>(
  io: CliIO,
  path: string | undefined,
  engineKind: EngineChoice,
  kernel: KernelChoice | undefined,
  work: (engine: Engine, out: OutputFile | undefined) => Promise<T>,
): Promise<T> {
  return withOut(io, path, async (out) => {
    const engine = await makeEngine(io, engineKind, kernel);
    try {
      return await work(engine, out);
    } finally {
      if (!io.createEngine) engine.dispose();
    }
  });
}
