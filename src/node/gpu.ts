/**
 * WebGPU in Node through Dawn's bindings (the `webgpu` package).
 *
 * The object `create()` returns owns the Dawn instance; if it is garbage
 * collected while an adapter or device from it is alive, the process
 * crashes. It is therefore created once and held here for the life of the
 * process, and each GpuEngine also keeps a reference to it.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoAdapterError } from '../errors.js';
import { GpuEngine, type GpuEngineOptions } from '../engine/gpu.js';
import { muteStderr } from './mute-stderr.js';
import { quietly } from './quiet-wait.js';

let instance: GPU | undefined;

/** How to get a WebGPU adapter on a machine without one. */
export const INSTALL_HINT = [
  'lrscope needs a Vulkan driver for WebGPU. On a machine without a GPU, install Mesa’s software driver',
  '(lavapipe, Mesa ≥ 23; Debian 12 has it in bookworm-backports):',
  "  echo 'deb http://deb.debian.org/debian bookworm-backports main' | sudo tee /etc/apt/sources.list.d/backports.list",
  '  sudo apt-get update && sudo apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1',
  'Ubuntu 24.04 and newer: sudo apt-get install -y mesa-vulkan-drivers libvulkan1',
  'Until then the CPU reference engine gives the same results, slower: --engine cpu, or --engine auto (the default).',
  "LRSCOPE_DEBUG=1 shows Dawn's own messages about the drivers it tried.",
].join('\n');

/** INSTALL_HINT in one line, for a run that went ahead on the CPU engine. */
export const INSTALL_HINT_SHORT =
  'for the GPU engine install a Vulkan driver (Debian 12: mesa-vulkan-drivers libvulkan1 from bookworm-backports; lrscope doctor says more)';

/** Dawn options from LRSCOPE_DAWN (comma-separated), e.g. `adapter=llvmpipe`. */
function dawnFlags(): string[] {
  const flags = process.env.LRSCOPE_DAWN?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  return flags;
}

/** The process-wide WebGPU entry point. */
export async function nodeGpu(): Promise<GPU> {
  if (instance) return instance;
  // Vulkan loaders complain on stderr when XDG_RUNTIME_DIR is missing or unusable.
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `lrscope-xdg-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    throw new NoAdapterError(`the WebGPU bindings (npm package webgpu) could not be loaded: ${(e as Error).message}\n${INSTALL_HINT}`);
  }
  Object.assign(globalThis, webgpu.globals);
  instance = webgpu.create(dawnFlags());
  return instance;
}

export interface NodeGpuEngineOptions extends GpuEngineOptions {
  /**
   * Keep Dawn's own messages while it looks for an adapter off stderr (src/node/mute-stderr.ts): for the
   * command line, which says in its own words what a user needs to know (an adapter missing, and how to get one).
   */
  readonly muteDiscovery?: boolean;
}

/** A GPU engine on this machine's first adapter; throws NoAdapterError with install advice if there is none. */
export async function createNodeGpuEngine(options: NodeGpuEngineOptions = {}): Promise<GpuEngine> {
  const { muteDiscovery, ...engineOptions } = options;
  const discover = async () => GpuEngine.create(await nodeGpu(), { waitFor: quietly, ...engineOptions });
  try {
    return await (muteDiscovery ? muteStderr(discover) : discover());
  } catch (e) {
    if (e instanceof NoAdapterError) {
      const detail = e.message === 'no WebGPU adapter found' ? 'no WebGPU adapter found.' : e.message;
      throw new NoAdapterError(`${detail}\n${INSTALL_HINT}`);
    }
    throw e;
  }
}
