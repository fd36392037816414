/**
 * The installed command, as a user runs it: a separate process through
 * bin/lrscope.js (which filters Dawn's stderr chatter) and exit codes.
 * Signals, files and hostile input: test/hostile.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dawnLineFilter, runsInProcess } from '../bin/dawn-stderr.js';
import { gpuEngine, itGpu } from './helpers/engines';

const bin = new URL('../bin/lrscope.js', import.meta.url).pathname;
const gpu = await gpuEngine();
gpu?.dispose();
const engine = gpu ? 'gpu' : 'cpu';

function lrscope(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bin/lrscope.js', () => {
  it("prints the seed's lr = 1 orbit with nothing on stderr", () => {
    const { code, stdout, stderr } = lrscope(['trace', '--lr', '1', '--columns', 'w', '--steps', '4', '--engine', engine]);
    expect(stderr).toBe('');
    expect(stdout).toBe('-7.0\n5.0\n-7.0\n5.0\n');
    expect(code).toBe(0);
  });

  it('exits 2 on bad input with one line', () => {
    const { code, stdout, stderr } = lrscope(['sweep', '--lr', '0:1:8:log']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'lrscope: --lr: a log range must stay above zero, not 0:1; expected a number, a list like 0.1,0.2, or a range START:STOP:COUNT[:log]\n',
    );
  });

  itGpu(gpu)('doctor names the adapter and passes its self-test', () => {
    const { code, stdout } = lrscope(['doctor']);
    expect(stdout).toMatch(/^adapter: +\S/m);
    expect(stdout).toMatch(/matches the CPU reference bit for bit/);
    // Lavapipe's subgroups are 8 invocations: the network runs in teams of 8.
    expect(stdout).toMatch(/^network: +in teams: a subgroup of 8 invocations per trajectory$/m);
    expect(code).toBe(0);
  });
});

describe('one process where no file is written', () => {
  it('help, the version, merge, a CPU-engine run, and a GPU run to stdout with a mutable stderr run in bin/lrscope.js itself', () => {
    for (const args of [[], ['--version'], ['help'], ['sweep', '--help'], ['merge', 'a.lrpart'], ['merge', 'a.lrpart', '--out=-'], ['trace', '--engine', 'cpu'], ['sweep', '--engine=cpu']]) {
      expect(runsInProcess(args, false), args.join(' ')).toBe(true);
    }
    for (const args of [['sweep'], ['sweep', '--engine', 'gpu', '--out', '-'], ['trace', '--lr', '1'], ['bifurcation']]) {
      expect(runsInProcess(args, true), args.join(' ')).toBe(true);
    }
  });

  it('a file written, doctor, or a GPU run where stderr cannot be muted runs in a child (Dawn filtered, partial files removed if it is killed)', () => {
    for (const args of [['merge', 'a.lrpart', '--out', 'map.csv'], ['sweep', '--engine', 'cpu', '--out=map.png'], ['zoom', '--engine', 'cpu'], ['sweep', '--out', 'map.png'], ['doctor']]) {
      expect(runsInProcess(args, true), args.join(' ')).toBe(false);
    }
    for (const args of [['sweep'], ['sweep', '--engine', 'gpu'], ['trace']]) {
      expect(runsInProcess(args, false), args.join(' ')).toBe(false);
    }
  });

  it("a GPU run in one process keeps Dawn's discovery off stderr (a named pipe), and stderr works after it", () => {
    // Node's own pipes are socket pairs, which cannot be muted; a shell's are pipes, as a terminal user's would be.
    const dir = mkdtempSync(join(tmpdir(), 'lrscope-stderr-'));
    const script = 'mkfifo "$1/err"; cat "$1/err" > "$1/err.txt" & "$2" "$3" "$@" 2> "$1/err"; code=$?; wait; exit $code';
    const run = (args: string[], env: Record<string, string> = {}) => {
      const result = spawnSync('bash', ['-c', script.replace('"$@"', args.map((a) => `'${a}'`).join(' ')), 'lrscope-test', dir, process.execPath, bin], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
      const stderr = readFileSync(join(dir, 'err.txt'), 'utf8');
      rmSync(join(dir, 'err'));
      return [result.status, result.stdout, stderr];
    };
    expect(run(['trace', '--lr', '1', '--columns', 'w', '--steps', '2', '--engine', engine])).toEqual([0, '-7.0\n5.0\n', '']);
    // With no driver to find, Dawn's reasons stay muted, and lrscope's note, written after the discovery, reaches the pipe.
    const [code, stdout, stderr] = run(['trace', '--lr', '1', '--columns', 'w', '--steps', '2'], { VK_DRIVER_FILES: '/nonexistent.json', VK_ICD_FILENAMES: '/nonexistent.json' });
    expect([code, stdout]).toEqual([0, '-7.0\n5.0\n']);
    expect(stderr).toMatch(/^lrscope: no WebGPU adapter found; running on the CPU reference engine \(same results, slower\); for the GPU engine install [^\n]*\n$/);
  });

  it('a CPU-engine trace run in one process prints the seed orbit and exits 0', () => {
    const { code, stdout, stderr } = lrscope(['trace', '--lr', '1', '--columns', 'w', '--steps', '2', '--engine', 'cpu']);
    expect([code, stdout, stderr]).toEqual([0, '-7.0\n5.0\n', '']);
  });
});

// The command line loads mathjs only for an objective written as a formula (src/objectives/mathjs-slot.ts).
describe('formula objectives load their parser when asked for', () => {
  it("a typed-in (w+1)^2 traces the seed's lr = 1 orbit", () => {
    const { code, stdout, stderr } = lrscope(['trace', '--objective', 'expression', '--loss', '(w+1)^2', '--lr', '1', '--columns', 'w', '--steps', '4', '--engine', engine]);
    expect(stderr).toBe('');
    expect(stdout).toBe('-7.0\n5.0\n-7.0\n5.0\n');
    expect(code).toBe(0);
  });

  it('a Rosenbrock sweep runs, and its part merges into the same CSV as a whole run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrscope-formula-'));
    const args = ['--objective', 'rosenbrock', '--lr', '0.0001:0.002:4', '--steps', '30', '--engine', engine];
    const whole = lrscope(['sweep', ...args, '--format', 'csv']);
    expect(whole.code).toBe(0);
    expect(whole.stdout.split('\n')).toHaveLength(6); // header, 4 rows, final newline
    const part = join(dir, 'all.lrpart');
    expect(lrscope(['sweep', ...args, '--shard', '1/1', '--out', part]).code).toBe(0);
    const merged = lrscope(['merge', part, '--format', 'csv']);
    expect(merged.stderr).toBe('');
    expect(merged.stdout).toBe(whole.stdout);
  });
});

/** What Dawn prints on its own: a severity word at the start of a line, or a frame of its C++ source. */
const DAWN_TEXT = /^(Warning|Error): |\.(cpp|cc|h):\d+\)/m;

describe("Dawn's own stderr never reaches the user", () => {
  itGpu(gpu)('a GPU sweep, by default and with --engine gpu, leaves stderr empty', () => {
    for (const extra of [[], ['--engine', 'gpu']]) {
      const { code, stdout, stderr } = lrscope(['sweep', '--lr', '0:1.2:16', '--steps', '50', ...extra]);
      expect(stderr).toBe('');
      expect(stdout).toMatch(/^16 trajectories × 50 steps in .*, gpu engine: /);
      expect(code).toBe(0);
    }
  });
});

describe('the stderr filter', () => {
  it("drops Dawn's warnings with their source frames, and keeps its errors and everything else", () => {
    const lines = [
      'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
      'lrscope: tuning the kernel for this adapter',
      "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory",
      '    at operator() (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)',
      '',
      'Error: Device lost',
      '    at Lose (/dawn/src/dawn/native/Device.cpp:10)',
      '',
      '',
      '(node:1234) Warning: something Node says',
      'XDG_RUNTIME_DIR is invalid or not set in the environment.',
      '    at a line of lrscope that only looks like a frame (x:1)',
    ];
    const { keep } = dawnLineFilter();
    expect(lines.filter(keep)).toEqual([
      'lrscope: tuning the kernel for this adapter',
      'Error: Device lost',
      '    at Lose (/dawn/src/dawn/native/Device.cpp:10)',
      '',
      '',
      '(node:1234) Warning: something Node says',
      '    at a line of lrscope that only looks like a frame (x:1)',
    ]);
    const debug = dawnLineFilter({ debug: true });
    expect(lines.filter(debug.keep)).toEqual(lines.filter((line) => !line.startsWith('XDG_RUNTIME_DIR')));
  });

  it('holds back an unfinished line only while it could still be dropped', () => {
    const { keep, mayDrop } = dawnLineFilter();
    expect(mayDrop('Warn')).toBe(true);
    expect(mayDrop('64 trajectories [####')).toBe(false);
    expect(mayDrop('    at')).toBe(false);
    keep('Warning: a warning');
    expect(mayDrop('    at')).toBe(true);
  });
});

/**
 * A machine without a usable Vulkan driver, two ways: no Vulkan loader
 * (a libvulkan.so.1 that does not load stands in front of the real one),
 * and a loader that finds no driver. Dawn finds no adapter in either, and
 * prints its reasons on stderr.
 */
const noLoader = mkdtempSync(join(tmpdir(), 'lrscope-novulkan-'));
writeFileSync(join(noLoader, 'libvulkan.so.1'), 'not a shared library\n');
const WITHOUT_VULKAN: [string, Record<string, string>][] = [
  ['no Vulkan loader', { LD_LIBRARY_PATH: noLoader }],
  ['no Vulkan driver', { VK_ICD_FILENAMES: '/nonexistent', VK_DRIVER_FILES: '/nonexistent' }],
];

describe.each(WITHOUT_VULKAN)('without a WebGPU adapter (%s)', (_, env) => {
  it('the default engine is the CPU one, said in one line on stderr; exit 0', () => {
    const { code, stdout, stderr } = lrscope(['sweep', '--lr', '0:1.2:16', '--steps', '50'], env);
    expect(stderr).not.toMatch(DAWN_TEXT);
    expect(stderr).toMatch(/^lrscope: no WebGPU adapter found; running on the CPU reference engine .*mesa-vulkan-drivers.*\n$/);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stdout).toMatch(/^16 trajectories × 50 steps in .*, cpu engine: CPU reference/);
    expect(code).toBe(0);

    const json = lrscope(['trace', '--lr', '1', '--steps', '2', '--format', 'json', '--engine', 'auto'], env);
    expect(JSON.parse(json.stdout).engine).toMatch(/CPU reference/);
    expect(json.code).toBe(0);
  });

  it('--engine gpu exits 3 with what to install', () => {
    const { code, stdout, stderr } = lrscope(['trace', '--lr', '1', '--engine', 'gpu'], env);
    expect(stderr).not.toMatch(DAWN_TEXT);
    expect(stderr).toMatch(/^lrscope: no WebGPU adapter found\./);
    expect(stderr).toContain('apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1');
    expect(stdout).toBe('');
    expect(code).toBe(3);
  });

  it('doctor exits 3 with what to install, and no word from Dawn', () => {
    const { code, stdout, stderr } = lrscope(['doctor'], env);
    expect(stderr).not.toMatch(DAWN_TEXT);
    expect(stdout).toContain('mesa-vulkan-drivers');
    expect(code).toBe(3);
  });
});
