/**
 * `lrscope doctor`: which adapter WebGPU finds, its limits, and whether it
 * reproduces the seed exactly; or, when there is none, what to install.
 */
import { describeAdapter, GpuEngine } from '../engine/gpu.js';
import { CpuEngine } from '../engine/cpu.js';
import { NoAdapterError } from '../errors.js';
import { formatFloat32 } from '../float32.js';
import { nodeGpu, INSTALL_HINT } from '../node/gpu.js';
import { parseSpec } from '../experiment/index.js';
import { applyTunedKernel, cachedKernel, tuningCacheFile, tuningCacheProblem } from '../node/tuning.js';
import type { KernelOptions } from '../engine/kernel.js';

const BACKENDS: Record<string, string> = { linux: 'Vulkan', darwin: 'Metal', win32: 'Direct3D 12' };

export async function doctorReport(options: { tune?: boolean } = {}): Promise<{ text: string; ok: boolean }> {
  const lines: string[] = [];
  let gpu: GPU;
  try {
    gpu = await nodeGpu();
  } catch (e) {
    return { text: `${(e as Error).message}\n`, ok: false };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { text: `no WebGPU adapter: ${(e as Error).message}\n${INSTALL_HINT}\n`, ok: false };
  }
  if (!adapter) return { text: `no WebGPU adapter found.\n${INSTALL_HINT}\n`, ok: false };
  const info = describeAdapter(adapter);
  lines.push(`adapter:      ${info.name}`);
  lines.push(`vendor:       ${info.vendor || '(not reported)'}${info.architecture ? `, ${info.architecture}` : ''}`);
  lines.push(`backend:      ${BACKENDS[process.platform] ?? 'platform default'} (Dawn, through the webgpu package)`);
  lines.push(`software:     ${info.isFallbackAdapter ? 'yes (a CPU implementation: correct, but far slower than a GPU)' : 'no'}`);
  const l = adapter.limits;
  lines.push('limits:');
  lines.push(`  maxStorageBufferBindingSize        ${l.maxStorageBufferBindingSize}`);
  lines.push(`  maxBufferSize                      ${l.maxBufferSize}`);
  lines.push(`  maxComputeWorkgroupsPerDimension   ${l.maxComputeWorkgroupsPerDimension}`);
  lines.push(`  maxComputeInvocationsPerWorkgroup  ${l.maxComputeInvocationsPerWorkgroup}`);
  lines.push(`features:     ${[...adapter.features].sort().join(', ') || '(none)'}`);

  // Self-test: the seed's lr = 0.2 run, on this adapter and on the CPU reference.
  let engine: GpuEngine | undefined;
  try {
    engine = await GpuEngine.create(gpu);
    const spec = parseSpec({ lr: 0.1, schedule: 'exponential', decayRate: 0.99, decaySteps: 1, staircase: true, steps: 40 });
    const [g] = await engine.trace(spec, [0]);
    const [c] = await new CpuEngine().trace(spec, [0]);
    const same = g!.w.every((x, i) => Object.is(x, c!.w[i])) && g!.loss.every((x, i) => Object.is(x, c!.loss[i]));
    const last = `${formatFloat32(g!.lr[40]!)} 40 ${formatFloat32(g!.w[40]!)} ${formatFloat32(g!.loss[40]!)}`;
    lines.push(`self-test:    seed's decayed-rate run, step 40: ${last} ${same ? '(matches the CPU reference bit for bit)' : '(DIFFERS from the CPU reference)'}`);
    // How the network's kernel runs here (src/engine/mlp-team.ts): in teams where the subgroups allow.
    const workgroup = engine.team && Math.ceil(engine.kernel.workgroupSize / engine.team) * engine.team;
    const teams = engine.team > 0 && (await engine.subgroupsFormTeams(engine.team, workgroup));
    lines.push(
      `network:      ${teams ? `in teams: a subgroup of ${engine.team} invocations per trajectory` : 'one invocation per vector of trajectories, point by point or in blocks (no subgroups of one size in order)'}`,
    );
    const shape = (k: KernelOptions) => `lanes=${k.lanes},workgroup=${k.workgroupSize},block=${k.fastBlock}`;
    if (options.tune) {
      const { tuned } = await applyTunedKernel(engine, { retune: true });
      lines.push('kernel shapes (million steps/s on a mixed 256×256 × 400-step sweep):');
      for (const m of tuned!.measured) lines.push(`  ${shape(m.kernel).padEnd(34)} ${m.mSteps.toFixed(0).padStart(6)}`);
      lines.push(`kernel:       ${shape(tuned!.best)} (the narrowest within 10 % of the fastest; cached for this adapter)`);
    } else {
      const cached = cachedKernel(engine);
      const problem = tuningCacheProblem();
      if (problem) lines.push(`tuning cache: ${tuningCacheFile()} is ignored (${problem}); the next sweep tunes again and rewrites it`);
      lines.push(`kernel:       ${cached ? `${shape(cached.kernel)} (tuned ${cached.date.slice(0, 10)})` : 'not tuned yet: the first sweep tunes it (a second or two), or run lrscope doctor --tune'}`);
    }
    return { text: `${lines.join('\n')}\n`, ok: same };
  } catch (e) {
    if (e instanceof NoAdapterError) return { text: `${e.message}\n${INSTALL_HINT}\n`, ok: false };
    lines.push(`self-test:    failed: ${(e as Error).message}`);
    return { text: `${lines.join('\n')}\n`, ok: false };
  } finally {
    engine?.dispose();
  }
}
