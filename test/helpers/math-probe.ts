/**
 * Evaluates shaders/f32math.wgsl's functions on the GPU for a list of inputs,
 * four lanes at a time (the kernel's usual vector width).
 */
import type { GpuEngine } from '../../src/engine/gpu';
import { mathWgsl } from '../../src/engine/kernel';

export const MATH_FUNCTIONS = ['exp', 'log', 'sin', 'cos', 'tanh'] as const;

const code = () => `alias V = vec4<f32>;
alias VU = vec4<u32>;
alias VI = vec4<i32>;
alias VB = vec4<bool>;
struct Probe { steps: u32, zero: u32 }
@group(0) @binding(0) var<storage, read_write> io: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> u: Probe;
fn opaque(x: V) -> V { return bitcast<V>(bitcast<VU>(x) ^ VU(u.zero)); }
${mathWgsl()}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let n = arrayLength(&io) / 6u;
  if (id.x >= n) { return; }
  let x = io[id.x];
  io[n + id.x] = f32exp(x);
  io[2u * n + id.x] = f32log(x);
  io[3u * n + id.x] = f32sin(x);
  io[4u * n + id.x] = f32cos(x);
  io[5u * n + id.x] = f32tanh(x);
}`;

/** For each function, its values at the inputs (a multiple of four long). */
export async function gpuMath(engine: GpuEngine, inputs: Float32Array<ArrayBuffer>): Promise<Record<(typeof MATH_FUNCTIONS)[number], Float32Array>> {
  const { device } = engine;
  const n = inputs.length;
  const bytes = n * 4 * 6;
  const io = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const steps = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const readback = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    device.queue.writeBuffer(io, 0, inputs);
    device.queue.writeBuffer(steps, 0, Uint32Array.of(1, 0, 0, 0));
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: code() }), entryPoint: 'main' } });
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [io, steps].map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(n / 4 / 64));
    pass.end();
    encoder.copyBufferToBuffer(io, 0, readback, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    return Object.fromEntries(MATH_FUNCTIONS.map((name, i) => [name, all.slice((i + 1) * n, (i + 2) * n)])) as Record<(typeof MATH_FUNCTIONS)[number], Float32Array>;
  } finally {
    [io, steps, readback].forEach((b) => b.destroy());
  }
}
