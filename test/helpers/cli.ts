/**
 * The command line run in-process for tests: main() with captured output,
 * and engines from the test (the GPU engine when there is one, never
 * disposed by the command).
 */
import { main, type CliIO } from '../../src/cli/main';
import { CpuEngine } from '../../src/engine/cpu';
import { NoAdapterError } from '../../src/errors';
import type { Engine } from '../../src/engine/types';
import { StringSink } from '../../src/output/sink';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `lrscope args…` with `gpu` as the GPU engine (none: as on a machine without an adapter). */
export async function runCli(args: string[], gpu: Engine | undefined, options: { signal?: AbortSignal; tty?: boolean; stdoutTty?: boolean; engine?: Engine } = {}): Promise<CliRun> {
  const stdout = new StringSink();
  let stderr = '';
  const io: CliIO = {
    stdout,
    stderr: (s) => (stderr += s),
    stderrIsTTY: options.tty ?? false,
    stdoutIsTTY: options.stdoutTty ?? false,
    signal: options.signal,
    createEngine: async (kind) => {
      if (options.engine) return options.engine;
      if (kind === 'cpu') return new CpuEngine();
      if (!gpu) throw new NoAdapterError('no WebGPU adapter found (none in this test run)');
      return gpu;
    },
  };
  const code = await main(args, io);
  return { code, stdout: stdout.toString(), stderr };
}
