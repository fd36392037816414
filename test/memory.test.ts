/**
 * Memory stays bounded for any grid: the built command, watched from outside
 * (the resident memory of its whole process tree, sampled from /proc), holds
 * about as much for a grid of 38 million cells as for one of 4 million, and
 * far under 1 GiB. Limits past which memory could not stay bounded are
 * refused up front (test/hostile.test.ts checks each).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { gpuEngine, itGpu } from './helpers/engines';

const bin = new URL('../bin/lrscope.js', import.meta.url).pathname;
const gpu = await gpuEngine();
gpu?.dispose();

const rss = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0; // gone between listing and reading
  }
};

/** The processes whose parent is `pid`. */
function children(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Runs `lrscope args…`; resolves with its exit code, stdout and the peak resident memory of its process tree. */
function watched(args: string[]): Promise<{ code: number | null; stdout: string; peak: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    let peak = 0;
    child.stdout.on('data', (d) => (stdout += d));
    const sample = setInterval(() => {
      peak = Math.max(peak, [child.pid!, ...children(child.pid!)].reduce((sum, pid) => sum + rss(pid), 0));
    }, 40);
    child.on('exit', (code) => {
      clearInterval(sample);
      resolve({ code, stdout, peak });
    });
  });
}

const MiB = 2 ** 20;

describe('memory', () => {
  itGpu(gpu)('a summary of 67 million cells holds about what one of a million does, under 1 GiB', async () => {
    const sweep = (n: number) => ['sweep', '--lr', `0.01:1.5:${n}`, '--decay-rate', `0.9:1:${n}`, '--schedule', 'exponential', '--decay-steps', '1', '--steps', '2', '--kernel', 'default'];
    const small = await watched(sweep(1024));
    const large = await watched(sweep(8192));
    expect([small.code, large.code]).toEqual([0, 0]);
    expect(large.stdout).toMatch(/^67108864 trajectories × 2 steps/);
    expect(large.stdout).toMatch(/^boundary dimension \d/m);
    expect(large.peak).toBeLessThan(1024 * MiB);
    // Two bytes per cell would add 128 MiB (the boundary's dimension used to take over 20); box and regime counts add almost nothing.
    // The difference is the larger grid's larger chunks: its state and readback buffers and the chunk arrays it
    // recycles (RunOptions.recycle), 66–68 MiB measured (100–117 when every chunk allocated its arrays afresh and
    // the collector freed them late). A per-cell array would add its 128 MiB on top: the bound sits between the two.
    expect(large.peak - small.peak, `peaks ${(small.peak / MiB).toFixed(0)} and ${(large.peak / MiB).toFixed(0)} MiB`).toBeLessThan(100 * MiB);
  }, 300_000);
});
