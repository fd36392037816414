/**
 * `sweep --shard K/N` and `merge`: N parts merged are the whole run, byte for
 * byte, in every output format (the summary's timing line aside), whatever
 * order the parts are named in and whatever chunks the engine handed over;
 * parts that do not make up one sweep are refused in one line, exit 2, and
 * no file is written. All on the CPU engine, so the engine's description is
 * the same in the parts and in the whole run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpu';
import type { Engine } from '../src/engine/types';
import { runCli } from './helpers/cli';

const tempDir = () => mkdtempSync(join(tmpdir(), 'lrscope-shards-'));

/** The CPU engine, streaming chunks of `size` trajectories: parts hold several blocks, and shard edges fall inside chunks. */
function chunked(size: number): Engine {
  const cpu = new CpuEngine();
  return { kind: 'cpu', description: cpu.description, run: (spec, options) => cpu.run(spec, { ...options, chunkSize: size }), trace: (spec, indices) => cpu.trace(spec, indices), dispose() {} };
}

const cli = (args: string[], size = 5) => runCli(args, undefined, { engine: chunked(size) });

/** 13 × 7: 91 trajectories, so shards of 3 and 5 end mid-row. */
const GRIDS = {
  quadratic: ['--lr', '0.1:1.9:13', '--curvature', '0.5:2:7', '--steps', '30'],
  network: ['--objective', 'mlp', '--width', '2', '--data-points', '3', '--input-lr', '0.05:8:13', '--output-lr', '0.05:8:7', '--steps', '40', '--trainability'],
  // df64: the trailing parts of finalW and finalLoss travel in the parts too.
  df64: ['--precision', 'df64', '--lr', '0.1:0.1000000001:13', '--momentum', '0.5:0.9:7', '--optimizer', 'momentum', '--steps', '30'],
};
const TOTAL = 91;

const FORMATS = [
  ['summary', 'txt'],
  ['json', 'json'],
  ['csv', 'csv'],
  ['arrow', 'arrow'],
  ['png', 'png'],
] as const;

/** Writes the N parts of a grid into `dir` and returns their paths, shard 1 first. */
async function writeParts(dir: string, args: string[], n: number, name = 'part', total = TOTAL): Promise<string[]> {
  const paths: string[] = [];
  for (let k = 1; k <= n; k++) {
    const path = join(dir, `${name}-${k}-of-${n}.lrpart`);
    const run = await cli(['sweep', ...args, '--engine', 'cpu', '--shard', `${k}/${n}`, '--out', path]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // The slice, from the rule "as even as possible, in grid order": shard k holds [⌊(k−1)·T/N⌋, ⌊k·T/N⌋).
    const start = Math.floor(((k - 1) * total) / n);
    const end = Math.floor((k * total) / n);
    expect(run.stdout).toMatch(new RegExp(`^${end - start} trajectories × `));
    expect(run.stdout).toContain(`shard ${k}/${n}: grid indices ${start} … ${end - 1} of ${total}`);
    paths.push(path);
  }
  return paths;
}

/** The same paths in another order: shard 1 last. */
const shuffled = (paths: readonly string[]) => [...paths.slice(1).reverse(), paths[0]!];

/** A file's bytes, or for the summary its text less its first line (the timing). */
function contents(path: string, format: string): Buffer | string {
  const bytes = readFileSync(path);
  return format === 'summary' ? bytes.toString('utf8').split('\n').slice(1).join('\n') : bytes;
}

describe.each(Object.entries(GRIDS))('%s: parts merged are the whole run', (grid, args) => {
  it.each([1, 3, 5])('%i shards, every format, parts named in any order', async (n) => {
    const dir = tempDir();
    const parts = await writeParts(dir, args, n);
    for (const [format, ext] of FORMATS) {
      const color = grid === 'network' && format === 'png' ? ['--color', 'trainability'] : [];
      const whole = join(dir, `whole.${ext}`);
      // Another chunk size for the whole run: nothing may depend on how the results arrive.
      const run = await cli(['sweep', ...args, '--engine', 'cpu', '--format', format, ...color, '--out', whole], 8);
      expect(run.code, run.stderr).toBe(0);
      const merged = join(dir, `merged.${ext}`);
      const merge = await cli(['merge', ...shuffled(parts), '--format', format, ...color, '--out', merged]);
      expect(merge.stderr).toBe('');
      expect(merge.code).toBe(0);
      const [a, b] = [contents(merged, format), contents(whole, format)];
      expect(typeof a === 'string' ? a : a.equals(b as Buffer), `${format}: merged ≠ whole`).toBe(typeof a === 'string' ? b : true);
      expect(merge.stdout.split('\n').slice(1).join('\n')).toBe(run.stdout.split('\n').slice(1).join('\n'));
    }
  });
});

describe('what a part holds', () => {
  it('the network: every weight, the loss record, trainable and score come back through the parts', async () => {
    const dir = tempDir();
    const parts = await writeParts(dir, GRIDS.network, 3);
    const merge = await cli(['merge', ...parts, '--format', 'json']);
    expect(merge.code).toBe(0);
    const json = JSON.parse(merge.stdout);
    // 2 hidden units: W₁ (2 × 1), b₁ (2), W₂ (1 × 2): six weights, finalW[0] … finalW[5].
    expect(Object.keys(json.cells[0])).toEqual(['inputLr', 'outputLr', 'regime', 'regimeStep', 'finalLoss', ...Array.from({ length: 6 }, (_, d) => `finalW[${d}]`), 'peak', 'rate', 'trainable', 'score']);
    expect(json.cells).toHaveLength(TOTAL);
    const trainable = json.cells.filter((c: { trainable: boolean }) => c.trainable).length;
    expect(trainable).toBeGreaterThan(0);
    expect(trainable).toBeLessThan(TOTAL);
    expect(json.trainability).toMatchObject({ trainable, total: TOTAL });
    expect(json.engine).toBe(new CpuEngine().description);
  });

  it('--columns, and a summary on stdout', async () => {
    const dir = tempDir();
    const parts = await writeParts(dir, GRIDS.quadratic, 3);
    const whole = await cli(['sweep', ...GRIDS.quadratic, '--engine', 'cpu', '--format', 'csv', '--columns', 'rate,lr,regime']);
    const merged = await cli(['merge', ...parts, '--format', 'csv', '--columns', 'rate,lr,regime']);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe(whole.stdout);
    const summary = await cli(['merge', ...parts]);
    expect(summary.stdout).toMatch(/^91 trajectories × 30 steps in [\d.]+ s .*, cpu engine: /);
  });
});

/** Exit 2, one line on stderr that names `field`, nothing on stdout, and in `dir` only the files that were there. */
function expectRefused(run: { code: number; stdout: string; stderr: string }, field: string, pattern: RegExp, dir: string, before: readonly string[]) {
  expect(run.stderr.endsWith('\n'), run.stderr).toBe(true);
  expect(run.stderr.slice(0, -1), 'one line').not.toMatch(/[\n\r]/);
  expect(run.stderr.startsWith(`lrscope: ${field}: `), run.stderr).toBe(true);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(readdirSync(dir).sort()).toEqual([...before].sort());
}

describe('refused in one line, exit 2, no file written', () => {
  it('parts that do not make up one sweep', async () => {
    const dir = tempDir();
    const three = await writeParts(dir, GRIDS.quadratic, 3);
    const two = await writeParts(dir, GRIDS.quadratic, 2);
    const other = await writeParts(dir, ['--lr', '0.1:1.9:14', '--curvature', '0.5:2:7', '--steps', '30'], 1, 'other', 98);
    copyFileSync(three[1]!, join(dir, 'copy-of-2.lrpart'));
    const before = readdirSync(dir);
    const out = join(dir, 'merged.csv');
    const merge = (parts: string[]) => cli(['merge', ...parts, '--out', out]);
    // Said of the part after the first in shard order, whatever order they are named in.
    expectRefused(await merge([...three.slice(1), other[0]!]), three[1]!, /comes from another sweep than .*other-1-of-1\.lrpart \(lr: "0\.1:1\.9:13" vs "0\.1:1\.9:14"\)/, dir, before);
    expectRefused(await merge([three[0]!, three[2]!]), 'merge', /shard 2 of 3 is missing; expected every shard 1 … 3/, dir, before);
    expectRefused(await merge([three[2]!]), 'merge', /shards 1, 2 of 3 are missing/, dir, before);
    expectRefused(await merge([...three, join(dir, 'copy-of-2.lrpart')]), join(dir, 'part-2-of-3.lrpart'), /is shard 2\/3, as .*copy-of-2\.lrpart is; expected each shard once/, dir, before);
    expectRefused(await merge([three[0]!, two[1]!, three[2]!]), two[1]!, /is shard 2\/2, and .* is one of 3 shards/, dir, before);
    expectRefused(await merge([join(dir, 'nowhere.lrpart')]), join(dir, 'nowhere.lrpart'), /cannot be read \(ENOENT\)/, dir, before);
    expectRefused(await merge([out.replace('merged.csv', 'part-1-of-3.lrpart'), dir]), dir, /cannot be read \(EISDIR\)/, dir, before);
  });

  it('a damaged part: the merge stops and writes nothing', async () => {
    const dir = tempDir();
    const parts = await writeParts(dir, GRIDS.quadratic, 3);
    const bytes = readFileSync(parts[1]!);
    // The trailer gone: the part ends after its last block.
    writeFileSync(parts[1]!, bytes.subarray(0, bytes.length - 40));
    const before = readdirSync(dir);
    expectRefused(await cli(['merge', ...parts, '--format', 'csv', '--out', join(dir, 'merged.csv')]), parts[1]!, /ends inside|damaged/, dir, before);
  });

  it.each([
    ['0/3', /"0\/3" is not accepted; expected K\/N with 1 ≤ K ≤ N/],
    ['4/3', /"4\/3" is not accepted; expected K\/N with 1 ≤ K ≤ N/],
    ['abc', /"abc" is not accepted; expected K\/N with 1 ≤ K ≤ N/],
    ['2/200', /200 shards of a grid of 91 trajectories/],
  ])('--shard %s', async (shard, pattern) => {
    const dir = tempDir();
    expectRefused(await cli(['sweep', ...GRIDS.quadratic, '--engine', 'cpu', '--shard', shard, '--out', join(dir, 'p.lrpart')]), '--shard', pattern, dir, []);
  });

  it('--shard without --out, or with another format', async () => {
    const dir = tempDir();
    expectRefused(await cli(['sweep', ...GRIDS.quadratic, '--engine', 'cpu', '--shard', '1/3']), '--shard', /--out is missing; expected an --out path like/, dir, []);
    expectRefused(await cli(['sweep', ...GRIDS.quadratic, '--engine', 'cpu', '--shard', '1/3', '--format', 'csv', '--out', join(dir, 'p.csv')]), '--shard', /writes a part file, not csv/, dir, []);
    expectRefused(await cli(['sweep', ...GRIDS.quadratic, '--engine', 'cpu', '--shard', '1/3', '--out', join(dir, 'p.json')]), '--shard', /writes a part file, not json/, dir, []);
    expect(existsSync(join(dir, 'p.lrpart'))).toBe(false);
  });

  it('the installed command: the same one line, exit 2', async () => {
    const bin = new URL('../bin/lrscope.js', import.meta.url).pathname;
    const dir = tempDir();
    const parts = await writeParts(dir, GRIDS.quadratic, 3);
    const before = readdirSync(dir);
    const lrscope = (args: string[]) => {
      const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
      return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
    };
    expectRefused(lrscope(['sweep', ...GRIDS.quadratic, '--engine', 'cpu', '--shard', 'abc', '--out', join(dir, 'p.lrpart')]), '--shard', /expected K\/N/, dir, before);
    expectRefused(lrscope(['merge', parts[2]!, parts[0]!, '--out', join(dir, 'map.png')]), 'merge', /shard 2 of 3 is missing/, dir, before);
  });
});
