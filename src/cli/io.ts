/** What a command of the command line runs against: its output streams, cancellation, and (in tests) an engine factory. */
import type { Engine } from '../engine/types.js';
import type { TextSink } from '../output/sink.js';

export interface CliIO {
  readonly stdout: TextSink;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bars are drawn only there). */
  readonly stderrIsTTY: boolean;
  /** Whether stdout is a terminal (binary output is not written there). */
  readonly stdoutIsTTY?: boolean;
  readonly columns?: number;
  /** Cancels the running command (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Makes the engine; tests pass one that reuses a device. */
  readonly createEngine?: (kind: 'gpu' | 'cpu') => Promise<Engine>;
}

/** Exit codes: 0 done, 1 failed, 2 bad input, 3 no WebGPU adapter, 130 cancelled. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, noGpu: 3, cancelled: 130 } as const;
