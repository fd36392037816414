/**
 * Runs an optimizer's WGSL update rule (shaders/optimizer-*.wgsl) on the GPU
 * for a given sequence of gradients and rates, one dimension, w₀ = 0: the
 * setting of the reference's test vectors, which a quadratic cannot produce.
 * The optimizer's code, its Hyper struct and its slots come from the
 * product's own generator (src/engine/kernel.ts, src/engine/records.ts).
 */
import type { GpuEngine } from '../../src/engine/gpu';
import { hyperFields, lanePrelude, optimizerFiles, optimizerWgsl } from '../../src/engine/kernel';
import { slotsWgsl, stateLayout } from '../../src/engine/records';
import type { Convention, OptimizerHyper, OptimizerName } from '../../src/optimizers';

function probeCode(optimizer: OptimizerName, convention: Convention): { code: string; fields: string[] } {
  const variants = [{ optimizer, convention }];
  const fields = hyperFields(variants);
  const code = `${lanePrelude(1)}
const DIMS = 1u;
const PART = DIMS;
fn dimCount() -> u32 { return DIMS; }
fn partCount() -> u32 { return PART; }
struct Probe { steps: u32, zero: u32 }
@group(0) @binding(0) var<storage, read_write> io: array<f32>;
@group(0) @binding(1) var<storage, read> u: Probe;
@group(0) @binding(2) var<storage, read_write> state: array<u32>; // declared for loadSlots/storeSlots, never bound
fn opaque(x: V) -> V { return bitcast<V>(bitcast<VU>(x) ^ VU(u.zero)); }
fn slotOf(field: u32, vector: u32) -> u32 { return field + vector; }
${optimizerWgsl(variants)}
${optimizerFiles(variants).join('\n')}
${slotsWgsl(stateLayout(1, variants))}
@compute @workgroup_size(1)
fn main() {
  var h: Hyper;
${fields.map((f, i) => `  h.${f} = io[${i}];`).join('\n')}
  var w = array<V, DIMS>(0.0);
  var slots = initialSlots(h);
  for (var k = 0u; k < u.steps; k++) {
    let g = array<V, DIMS>(io[${fields.length}u + 2u * k]);
    update(&w, g, io[${fields.length}u + 2u * k + 1u], &slots, h);
    io[${fields.length}u + 2u * u.steps + k] = w[0];
  }
}`;
  return { code, fields };
}

/** The iterates w₁ … wₙ after each update, as float32 values. */
export async function gpuUpdates(
  engine: GpuEngine,
  optimizer: OptimizerName,
  convention: Convention,
  hyper: OptimizerHyper,
  grads: readonly number[],
  rates: readonly number[],
): Promise<number[]> {
  const { device } = engine;
  const { code, fields } = probeCode(optimizer, convention);
  const n = grads.length;
  const input = new Float32Array(fields.length + 3 * n);
  fields.forEach((f, i) => (input[i] = hyper[f as keyof OptimizerHyper]));
  grads.forEach((g, k) => {
    input[fields.length + 2 * k] = g;
    input[fields.length + 2 * k + 1] = rates[k % rates.length]!;
  });
  const io = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const steps = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const readback = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    device.queue.writeBuffer(io, 0, input);
    device.queue.writeBuffer(steps, 0, Uint32Array.of(n, 0, 0, 0));
    const module = device.createShaderModule({ code });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [io, steps].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(io, 0, readback, 0, input.byteLength);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const out = Array.from(new Float32Array(readback.getMappedRange().slice(0)).subarray(fields.length + 2 * n));
    readback.unmap();
    return out;
  } finally {
    [io, steps, readback].forEach((b) => b.destroy());
  }
}
