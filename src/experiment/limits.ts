/**
 * The limits every spec is checked against before any work starts, each a
 * one-line SpecError naming the field. They come from what the engines can
 * represent and run:
 *
 * - steps: the GPU keeps step numbers and escape steps in 32-bit signed
 *   integers, so a run has at most 2^31 − 1 steps;
 * - dimensions: at most 1056, the weights of the largest network (width 32).
 *   Compile time does not depend on them (past a few dimensions the kernel
 *   keeps a trajectory's state in its storage buffer: src/engine/kernel.ts,
 *   kernelForm), but a chunk's memory does: every trajectory holds w, two
 *   gradients and up to three optimizer slots per dimension, and the CPU
 *   engine steps 4096 trajectories at a time (about 200 MB of them at 1056);
 * - a trace holds every iterate of w, the loss and the rate in memory: at most
 *   2^27 values (512 MiB of float32) per traced trajectory;
 * - the network's minibatch draws (one row per iterate) are held on the host
 *   and in the kernel's value buffer: at most 2^24 indices (64 MiB).
 */
import { SpecError } from '../errors.js';
import { fieldName, type FieldNaming, type Spec } from './types.js';

export const MAX_STEPS = 2 ** 31 - 1;
export const MAX_DIMS = 1056;
export const MAX_TRACE_VALUES = 2 ** 27;
export const MAX_MINIBATCH_DRAWS = 2 ** 24;

/** The most steps a trace of a spec's dimensions can hold. */
export function maxTraceSteps(dims: number): number {
  return Math.floor(MAX_TRACE_VALUES / (dims + 2)) - 1;
}

/** Refuses a trace (lrscope trace, a bifurcation diagram, a picked point) longer than a trace holds. */
export function checkTraceLength(spec: Spec, naming: FieldNaming): void {
  const steps = spec.base.steps;
  const most = maxTraceSteps(spec.dims);
  if (steps > most) {
    throw new SpecError(
      fieldName('steps', naming),
      `${steps} steps is more than a trace holds in memory (${MAX_TRACE_VALUES} values: w, the loss and the rate at every step)`,
      `at most ${most} steps for ${spec.dims} dimension${spec.dims === 1 ? '' : 's'} (a sweep keeps no trace and takes up to ${MAX_STEPS})`,
    );
  }
}
