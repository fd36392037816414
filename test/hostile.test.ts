/**
 * Hostile and faulty use of the installed command (bin/lrscope.js, as a
 * user runs it): user text never reaches generated code, values the engines
 * cannot represent or run are refused up front, output files are complete or
 * absent whatever signal arrives, neither process outlives the other, and a
 * damaged tuning cache changes nothing. Every refusal is one line, exit 2,
 * and writes no file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../src/objectives/expression';
import { adapterKey } from '../src/node/tuning';
import { gpuEngine, itGpu } from './helpers/engines';

const bin = new URL('../bin/lrscope.js', import.meta.url).pathname;
const gpu = await gpuEngine();
const key = gpu ? adapterKey(gpu) : '';
gpu?.dispose();

const tempDir = () => mkdtempSync(join(tmpdir(), 'lrscope-hostile-'));

/** A cache folder of its own, so no test sees another's (or the user's) kernel-tuning cache. */
const cacheHome = tempDir();

/** Mesa keeps its compiled shaders under XDG_CACHE_HOME too: keep them where they are, or every test compiles afresh. */
const MESA_CACHE = { MESA_SHADER_CACHE_DIR: process.env.MESA_SHADER_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache')) };

function lrscope(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...MESA_CACHE, XDG_CACHE_HOME: cacheHome, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Exit 2, one line on stderr that starts with the flag, nothing on stdout, no file in `dir`. */
function expectRefused(args: string[], flag: string, pattern: RegExp, dir = tempDir()) {
  const { code, stdout, stderr } = lrscope(args.map((a) => a.replace('$DIR', dir)));
  expect(stderr.endsWith('\n'), stderr).toBe(true);
  expect(stderr.slice(0, -1), 'one line').not.toMatch(/[\n\r\u2028\u2029\u0085\u000b\f]/);
  expect(stderr).toMatch(new RegExp(`^lrscope: ${flag.replace(/[-[\]]/g, '\\$&')}: `));
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(readdirSync(dir)).toEqual([]);
}

const TERMINATORS = { LF: '\n', CR: '\r', VT: '\u000b', FF: '\f', NEL: '\u0085', LS: '\u2028', PS: '\u2029' };
const COMMENTS = ['#', '//', '/*', '<!--', '-->', ';'];
const PAYLOAD = 'fn evil() -> u32 { loop {} } // while (true) {}';

describe('no user text reaches generated code', () => {
  it.each(Object.entries(TERMINATORS))('a comment ended by %s and followed by code is refused', (_, terminator) => {
    expectRefused(['sweep', '--loss', `w^2 #${terminator}${PAYLOAD}`, '--lr', '0.1', '--steps', '5'], '--loss', /contains "#" at character 5, which is not part of a formula/);
  });

  it.each(COMMENTS)('the comment syntax %s is refused', (comment) => {
    expectRefused(['sweep', '--loss', `w^2 ${comment}\r${PAYLOAD}`, '--lr', '0.1', '--steps', '5', '--format', 'csv', '--out', '$DIR/x.csv'], '--loss', /which is not part of a formula/);
  });

  it('a line break or a ; in a formula: one line, the character named by its code point', () => {
    expectRefused(['trace', '--loss', 'w^2\n+ w'], '--loss', /contains U\+000A at character 4/);
    expectRefused(['trace', '--loss', 'w^2; w'], '--loss', /contains ";" at character 4/);
    expectRefused(['trace', '--loss', 'w\u2028'], '--loss', /contains U\+2028 at character 2/);
  });

  it('the code is written from the parsed operations: the same formula in any spelling gives the same code', () => {
    const reference = compileExpression('(w+1)^2');
    for (const spelling of ['( w + 1 ) ^ 2', '((w)+(1))^(2)', '(w + 1.0)^2.0']) {
      const other = compileExpression(spelling);
      expect(other.wgsl).toBe(reference.wgsl);
      expect(other.gradient.toString()).toBe(reference.gradient.toString());
    }
  });
});

describe('values the engines cannot represent or run', () => {
  it.each([
    ['lr', ['sweep', '--lr', '1e39'], '--lr', /1e\+39 is beyond float32's range/],
    ['w0', ['sweep', '--w0', '-1e39'], '--w0', /beyond float32's range/],
    ['curvature', ['sweep', '--curvature', '[1,1e39]'], '--curvature', /beyond float32's range/],
    ['bound', ['sweep', '--bound', '1e39'], '--bound', /beyond float32's range/],
    ['decay-steps that round to 0', ['sweep', '--schedule', 'exponential', '--decay-steps', '1e-46'], '--decay-steps', /1e-46 rounds to 0 in float32, and 0 is not positive/],
    ['steps past 32 bits', ['sweep', '--steps', '4294967296'], '--steps', /is not a whole number from 1 to 2147483647/],
    ['steps of 1e39', ['sweep', '--steps', '1e39'], '--steps', /is not a whole number from 1 to 2147483647/],
    ['a trace of 10^15 steps', ['trace', '--steps', '1e15'], '--steps', /1000000000000000 is not a whole number from 1 to 2147483647/],
    ['a trace of 2^31 steps', ['trace', '--steps', '2147483648'], '--steps', /is not a whole number from 1 to 2147483647/],
    ['a trace of 10^8 steps', ['trace', '--steps', '100000000'], '--steps', /100000000 steps is more than a trace holds in memory.*at most 44739241 steps for 1 dimension/],
    ['a bifurcation diagram of long traces', ['bifurcation', '--lr', '0.1:1:5', '--steps', '100000000'], '--steps', /more than a trace holds/],
    ['10,000 dimensions', ['sweep', '--curvature', `[${Array(10000).fill(1).join(',')}]`], '--curvature', /gives 10000 dimensions, more than a trajectory can hold \(1056\)/],
    ['β₁ = 1', ['sweep', '--optimizer', 'adam', '--beta1', '1'], '--beta1', /1 is not from 0 up to \(but not including\) 1/],
    ['β₂ = 1.5', ['sweep', '--optimizer', 'adam', '--beta2', '1.5'], '--beta2', /1\.5 is not from 0/],
    ['ρ = −1', ['sweep', '--optimizer', 'rmsprop', '--rho', '-1'], '--rho', /-1 is not from 0 to 1/],
    ['ε = 0', ['sweep', '--optimizer', 'adam', '--epsilon', '0'], '--epsilon', /0 is not positive/],
    ['μ = 2', ['sweep', '--optimizer', 'momentum', '--momentum', '0.5,2'], '--momentum', /2 is not from 0 to 1/],
    ['a loss with no variable', ['sweep', '--loss', '42'], '--loss', /has no variable/],
    ['1,990 nested unary minuses', ['sweep', '--loss', `${'-'.repeat(1990)}w`], '--loss', /is nested more than 64 levels deep/],
    ['65 nested parentheses', ['sweep', '--loss', `${'('.repeat(65)}w${')'.repeat(65)}`], '--loss', /is nested more than 64 levels deep/],
    ['a repeated --format', ['sweep', '--lr', '0.1,0.2', '--format', 'csv', '--format', 'json', '--out', '$DIR/x'], '--format', /is given twice/],
    ['a repeated --out', ['trace', '--out', '$DIR/a', '--out', '$DIR/b'], '--out', /is given twice/],
  ] as Array<[string, string[], string, RegExp]>)('%s', (_, args, flag, pattern) => {
    expectRefused(args, flag, pattern);
  });
});

describe('the network’s offset and minibatch', () => {
  const mlp = ['sweep', '--objective', 'mlp', '--width', '2', '--steps', '5'];
  it.each([
    ['a minibatch of 0', [...mlp, '--minibatch', '0'], '--minibatch', /0 is not a positive whole number; expected a whole number from 1 to the data points$/m],
    ['a minibatch beyond the data points', [...mlp, '--data-points', '10', '--minibatch', '11'], '--minibatch', /11 is more than the 10 data points; expected a whole number from 1 to 10 /],
    ['a minibatch beyond the default data points', [...mlp, '--activation', 'identity', '--minibatch', '3'], '--minibatch', /3 is more than the 2 data points/],
    ['a minibatch of 2.5', [...mlp, '--minibatch', '2.5'], '--minibatch', /2\.5 is not a positive whole number; expected a whole number from 1 to the data points/],
    ['a swept minibatch', [...mlp, '--minibatch', '1,2'], '--minibatch', /cannot be swept/],
    ['more draws than lrscope holds', ['sweep', '--objective', 'mlp', '--width', '2', '--steps', '100000000', '--minibatch', '6'], '--minibatch', /more draws than lrscope holds.*at most 2796201 steps with a minibatch of 6/],
    ['an offset that is not a number', [...mlp, '--init-offset', 'abc'], '--init-offset', /expected a number, a list like 0\.1,0\.2, or a range START:STOP:COUNT/],
    ['an offset for the quadratic', ['sweep', '--objective', 'quadratic', '--init-offset', '0.5'], '--init-offset', /not used by objective quadratic; expected --objective mlp/],
    ['a minibatch for rosenbrock', ['sweep', '--objective', 'rosenbrock', '--minibatch', '4'], '--minibatch', /not used by objective rosenbrock; expected --objective mlp/],
  ] as Array<[string, string[], string, RegExp]>)('%s', (_, args, flag, pattern) => {
    expectRefused(args, flag, pattern);
  });
});

describe('output files', () => {
  const sweep = (out: string) => ['sweep', '--lr', '0.1:1.9:12', '--steps', '50', '--format', 'csv', '--out', out, '--engine', 'cpu'];

  it('a folder, or a path through a file, is refused with one line', () => {
    const dir = tempDir();
    expectRefused(sweep(dir), '--out', /is a folder; expected a file/);
    writeFileSync(join(dir, 'file'), 'x');
    const { code, stderr } = lrscope(sweep(join(dir, 'file', 'out.csv')));
    expect(stderr).toMatch(/^lrscope: --out: .*: cannot be written: a part of the path is not a folder \(ENOTDIR\); expected/);
    expect(code).toBe(2);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('/dev/null stays a device', () => {
    const { code } = lrscope(sweep('/dev/null'));
    expect(code).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a FIFO is written as a stream and stays a FIFO', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let read = '';
    reader.stdout.on('data', (d) => (read += d));
    const writer = spawn(process.execPath, [bin, ...sweep(fifo)], { stdio: 'ignore', env: { ...process.env, ...MESA_CACHE, XDG_CACHE_HOME: cacheHome } });
    expect(await exitOf(writer)).toBe(0);
    await exitOf(reader);
    expect(read.split('\n')[0]).toBe('lr,regime,regimeStep,finalLoss,finalW,peak,rate');
    expect(read.trim().split('\n')).toHaveLength(13);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a symlink is followed: its target is written, the link stays', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'map.csv'), 'old');
    symlinkSync('data/map.csv', join(dir, 'latest.csv'));
    expect(lrscope(sweep(join(dir, 'latest.csv'))).code).toBe(0);
    expect(lstatSync(join(dir, 'latest.csv')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'latest.csv'))).toBe('data/map.csv');
    expect(readFileSync(join(dir, 'data', 'map.csv'), 'utf8')).toMatch(/^lr,regime/);
    // A link to a file that does not exist yet creates it.
    symlinkSync('data/new.csv', join(dir, 'dangling.csv'));
    expect(lrscope(sweep(join(dir, 'dangling.csv'))).code).toBe(0);
    expect(readFileSync(join(dir, 'data', 'new.csv'), 'utf8')).toMatch(/^lr,regime/);
    expect(readdirSync(join(dir, 'data')).sort()).toEqual(['map.csv', 'new.csv']);
  });

  it('- is stdout: the data alone, without the summary', () => {
    const { code, stdout } = lrscope(sweep('-'));
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('lr,regime,regimeStep,finalLoss,finalW,peak,rate');
    expect(stdout).not.toMatch(/trajectories ×/);
  });
});

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A long sweep writing to a file that already exists; resolves once its
 * partial file is being written, with the command, the folder, and the pid
 * of the process doing the work (from the partial file's name).
 */
async function longRun(args: string[] = []) {
  const dir = tempDir();
  const out = join(dir, 'map.csv');
  writeFileSync(out, 'the previous map');
  const command = args.length ? args : ['sweep', '--lr', '0.001:1.5:2000', '--w0', '1:9:2000', '--steps', '2000', '--format', 'csv', '--engine', 'cpu'];
  const child = spawn(process.execPath, [bin, ...command, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...MESA_CACHE, XDG_CACHE_HOME: cacheHome } });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const partial = () => readdirSync(dir).find((name) => name.endsWith('.partial'));
  await until(() => partial() !== undefined || child.exitCode !== null, 'the partial file');
  const worker = Number(/\.(\d+)\.partial$/.exec(partial() ?? '')?.[1]);
  return { child, dir, out, worker, stderr: () => stderr };
}

describe('signals: no partial file, no orphan, the old file untouched', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s cancels: exit 130, one line', async (signal) => {
    const run = await longRun();
    run.child.kill(signal);
    expect(await exitOf(run.child)).toBe(130);
    expect(run.stderr()).toBe('lrscope: cancelled; no output file was written\n');
    expect(readdirSync(run.dir)).toEqual(['map.csv']);
    expect(readFileSync(run.out, 'utf8')).toBe('the previous map');
  });

  it('a second Ctrl-C stops at once, and still leaves nothing', async () => {
    const run = await longRun();
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    expect(await exitOf(run.child)).toBe(130);
    expect(readdirSync(run.dir)).toEqual(['map.csv']);
    expect(readFileSync(run.out, 'utf8')).toBe('the previous map');
  });

  it('Ctrl-C while a trace is written exits 130 and keeps the old file', async () => {
    const run = await longRun(['trace', '--steps', '1000000', '--engine', 'cpu']);
    run.child.kill('SIGINT');
    expect(await exitOf(run.child)).toBe(130);
    expect(readdirSync(run.dir)).toEqual(['map.csv']);
    expect(readFileSync(run.out, 'utf8')).toBe('the previous map');
  });

  it('kill -9 of lrscope: the process doing the work stops too, removes its partial file and replaces nothing', async () => {
    const run = await longRun();
    expect(alive(run.worker)).toBe(true);
    run.child.kill('SIGKILL');
    await until(() => !alive(run.worker), 'the worker to stop', 30_000);
    expect(readdirSync(run.dir)).toEqual(['map.csv']);
    expect(readFileSync(run.out, 'utf8')).toBe('the previous map');
  });

  it('kill -9 of the process doing the work: lrscope removes its partial file and exits 137', async () => {
    const run = await longRun();
    process.kill(run.worker, 'SIGKILL');
    expect(await exitOf(run.child)).toBe(137);
    expect(readdirSync(run.dir)).toEqual(['map.csv']);
    expect(readFileSync(run.out, 'utf8')).toBe('the previous map');
  });
});

describe('a damaged kernel-tuning cache', () => {
  /** A small sweep's CSV on the GPU with `cache` in the tuning-cache file, against the CPU reference engine. */
  function withCache(cache: string) {
    const home = tempDir();
    mkdirSync(join(home, 'lrscope'));
    const file = join(home, 'lrscope', 'kernel-tuning.json');
    writeFileSync(file, cache);
    const args = ['sweep', '--lr', '0.05:2.5:37', '--decay-rate', '0.8:1:5', '--schedule', 'exponential', '--decay-steps', '1', '--steps', '300', '--format', 'csv'];
    const gpuRun = lrscope(args, { XDG_CACHE_HOME: home });
    const cpuRun = lrscope([...args, '--engine', 'cpu'], { XDG_CACHE_HOME: home });
    return { gpuRun, cpuRun, rewritten: JSON.parse(readFileSync(file, 'utf8')) as Record<string, { kernel: { lanes: number } }> };
  }

  const entry = (kernel: object) => JSON.stringify({ [key]: { kernel, measured: [], date: '2026-01-01' } });

  itGpu(gpu).each([
    ['null', 'null', /is not an object of adapters|does not hold an object/],
    ['a number', '42', /does not hold an object/],
    ['a string', '"x"', /does not hold an object/],
    ['not JSON', '{"', /it is not JSON/],
    ['lanes 3', entry({ lanes: 3, workgroupSize: 64, fastBlock: 256 }), /not a kernel shape/],
    ['a workgroup of 100000', entry({ lanes: 4, workgroupSize: 100000, fastBlock: 256 }), /workgroup 100000 is not a whole number from 1 to 256/],
    ['a negative shape', entry({ lanes: 4, workgroupSize: -64, fastBlock: -1 }), /workgroup -64 is not a whole number/],
    ['a fast block of 0', entry({ lanes: 4, workgroupSize: 64, fastBlock: 0 }), /block 0 is not a whole number from 1/],
  ])('%s: one note, the same results as the CPU engine, the cache rewritten', (_, cache, problem) => {
    const { gpuRun, cpuRun, rewritten } = withCache(cache);
    expect(gpuRun.code).toBe(0);
    expect(gpuRun.stderr).toMatch(/^lrscope: ignoring (the kernel-tuning cache|this adapter's entry in) .*; tuning again and rewriting it\n$/);
    expect(gpuRun.stderr).toMatch(problem);
    expect(gpuRun.stdout).toBe(cpuRun.stdout);
    expect([1, 2, 4, 8]).toContain(rewritten[key]!.kernel.lanes);
  });

  itGpu(gpu)('doctor reports the adapter, not a missing one', () => {
    const home = tempDir();
    mkdirSync(join(home, 'lrscope'));
    writeFileSync(join(home, 'lrscope', 'kernel-tuning.json'), 'null');
    const { code, stdout } = lrscope(['doctor'], { XDG_CACHE_HOME: home });
    expect(stdout).toMatch(/^adapter: +\S/m);
    expect(stdout).toMatch(/tuning cache: .* is ignored/);
    expect(code).toBe(0);
    expect(existsSync(join(home, 'lrscope', 'kernel-tuning.json'))).toBe(true);
  });
});
