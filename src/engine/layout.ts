/**
 * Buffer layouts shared by the host and the kernel, defined once here. The
 * WGSL declarations are generated from these tables (src/engine/shader.ts),
 * and the host packs and unpacks with the same tables.
 */

/** The kernel's uniforms, in order. Every field is a 4-byte scalar. */
export const UNIFORM_FIELDS = [
  ['start', 'u32'], // grid index of the chunk's first trajectory
  ['count', 'u32'], // trajectories in the chunk
  ['slotVectors', 'u32'], // state vectors per field (chunk padded to whole vectors)
  ['stepBegin', 'u32'], // first step of this dispatch
  ['stepEnd', 'u32'], // one past its last step
  ['steps', 'u32'], // K, steps in the run
  ['aStart', 'u32'], // first iterate of tail window A
  ['bStart', 'u32'], // first iterate of tail window B
  ['tableBegin', 'u32'], // step of the schedule table's first column
  ['tableStride', 'u32'], // floats per schedule-table row
  ['traceRows', 'u32'], // rows per traced trajectory in the trace buffer
  ['boundBits', 'u32'], // float32 bits of the divergence bound
  ['tol', 'f32'], // relative gradient tolerance
  ['zero', 'u32'], // always 0; opaque() mixes it into values so the compiler cannot regroup float operations
] as const;

export type UniformName = (typeof UNIFORM_FIELDS)[number][0];

/** Bytes of the uniform buffer (a multiple of 16). */
export const UNIFORM_BYTES = Math.ceil((UNIFORM_FIELDS.length * 4) / 16) * 16;

export function uniformStruct(): string {
  return `struct Uniforms {\n${UNIFORM_FIELDS.map(([name, type]) => `  ${name}: ${type},`).join('\n')}\n}`;
}

export function packUniforms(values: Record<UniformName, number>): ArrayBuffer {
  const buffer = new ArrayBuffer(UNIFORM_BYTES);
  const view = new DataView(buffer);
  UNIFORM_FIELDS.forEach(([name, type], i) => {
    if (type === 'f32') view.setFloat32(i * 4, values[name], true);
    else view.setUint32(i * 4, values[name], true);
  });
  return buffer;
}

/**
 * Per-trajectory state, field-major: field f of trajectory i is word
 * `f × slots + i`. The result fields come first so one copy reads them back;
 * the gradient of the last iterate (only needed between dispatches) is last.
 */
export function stateFields(dims: number, slotWords = 0) {
  const fields = {
    W: 0,
    GRADTOL: dims,
    LASTABOVE: dims + 1,
    ESCAPE: dims + 2,
    PEAK: dims + 3,
    GRADA: dims + 4,
    GRADB: dims + 5,
    FLIPS: dims + 6,
    LOSS: dims + 7,
    GPREV: dims + 8,
    SLOTS: 2 * dims + 8, // the optimizer's state, `slotWords` of them
  };
  return { fields, resultFields: dims + 8, totalFields: 2 * dims + 8 + slotWords };
}

export function stateConstants(dims: number, slotWords = 0): string {
  const { fields } = stateFields(dims, slotWords);
  return Object.entries(fields)
    .map(([name, offset]) => `const F_${name} = ${offset}u;`)
    .join('\n');
}
