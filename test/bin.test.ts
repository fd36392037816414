/**
 * The installed command, as a user runs it: a separate process through
 * bin/lrscope.js (which filters Dawn's stderr chatter), exit codes, and
 * Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpuEngine, itGpu } from './helpers/engines';

const bin = new URL('../bin/lrscope.js', import.meta.url).pathname;
const gpu = await gpuEngine();
gpu?.dispose();
const engine = gpu ? 'gpu' : 'cpu';

function lrscope(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '' } });
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
    expect(code).toBe(0);
  });

  it('Ctrl-C stops a sweep cleanly and leaves no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrscope-sigint-'));
    const child = spawn(process.execPath, [bin, 'sweep', '--lr', '0.001:1.5:2048', '--w0', '1:9:512', '--steps', '20000', '--format', 'csv', '--out', join(dir, 'big.csv'), '--engine', engine], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('lrscope: cancelled; no output file was written\n');
    expect(code).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });
});
