/**
 * Evaluates shaders/df64.wgsl's functions on the GPU for a list of operand
 * pairs (a, b), each a df64 as (hi, lo): a tiny compute shader with the
 * inputs and outputs in storage buffers and a uniform `zero` behind dfKeep,
 * as the kernel has. Unary functions take a; the comparisons return
 * (dfLt, dfGt) as (1 or 0, 1 or 0); fromF32 takes a's hi.
 */
import type { GpuEngine } from '../../src/engine/gpu';
import { df64Wgsl } from '../../src/df64';

export const DF64_PROBE_FUNCTIONS = ['add', 'sub', 'mul', 'div', 'neg', 'abs', 'sqrt', 'exp', 'expm1', 'log', 'tanh', 'sin', 'cos', 'fromF32', 'compare'] as const;
export type Df64ProbeFunction = (typeof DF64_PROBE_FUNCTIONS)[number];

const CALLS: Record<Df64ProbeFunction, string> = {
  add: 'dfAdd(a, b)',
  sub: 'dfSub(a, b)',
  mul: 'dfMul(a, b)',
  div: 'dfDiv(a, b)',
  neg: 'dfNeg(a)',
  abs: 'dfAbs(a)',
  sqrt: 'dfSqrt(a)',
  exp: 'dfExp(a)',
  expm1: 'dfExpm1(a)',
  log: 'dfLog(a)',
  tanh: 'dfTanh(a)',
  sin: 'dfSin(a)',
  cos: 'dfCos(a)',
  fromF32: 'dfFromF32(a.x)',
  compare: 'vec2f(select(0.0, 1.0, dfLt(a, b)), select(0.0, 1.0, dfGt(a, b)))',
};

/**
 * The probe shader. With `barrier` false dfKeep is a plain identity, which
 * lets the compiler regroup the error-free transformations (to show that the
 * barrier matters).
 */
const code = (barrier: boolean) => `struct DfProbe { zero: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read> inputs: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> outputs: array<vec2f>;
@group(0) @binding(2) var<uniform> probe: DfProbe;
fn dfKeep(x: f32) -> f32 { return ${barrier ? 'bitcast<f32>(bitcast<u32>(x) ^ probe.zero)' : 'x'}; }
${df64Wgsl()}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let n = arrayLength(&inputs);
  if (id.x >= n) { return; }
  let v = inputs[id.x];
  let a = v.xy;
  let b = v.zw;
${DF64_PROBE_FUNCTIONS.map((name, i) => `  outputs[${i}u * n + id.x] = ${CALLS[name]};`).join('\n')}
}`;

/**
 * For each function, its results at the inputs: inputs holds (a.hi, a.lo,
 * b.hi, b.lo) per case; each result array holds (hi, lo) per case.
 */
export async function gpuDf64(engine: GpuEngine, inputs: Float32Array<ArrayBuffer>, barrier = true): Promise<Record<Df64ProbeFunction, Float32Array>> {
  const { device } = engine;
  if (inputs.length % 4 !== 0) throw new RangeError('four words per case');
  const n = inputs.length / 4;
  const outBytes = n * 8 * DF64_PROBE_FUNCTIONS.length;
  const input = device.createBuffer({ size: inputs.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const output = device.createBuffer({ size: outBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const uniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const readback = device.createBuffer({ size: outBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    device.queue.writeBuffer(input, 0, inputs);
    device.queue.writeBuffer(uniform, 0, Uint32Array.of(0, 0, 0, 0));
    const module = device.createShaderModule({ code: code(barrier) });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) throw new Error(`df64 probe shader: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}`);
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [input, output, uniform].map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(n / 64));
    pass.end();
    encoder.copyBufferToBuffer(output, 0, readback, 0, outBytes);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    return Object.fromEntries(DF64_PROBE_FUNCTIONS.map((name, i) => [name, all.slice(i * 2 * n, (i + 1) * 2 * n)])) as Record<Df64ProbeFunction, Float32Array>;
  } finally {
    [input, output, uniform, readback].forEach((b) => b.destroy());
  }
}
