/**
 * The installed command, as a user runs it: a separate process through
 * bin/lrscope.js (which filters Dawn's stderr chatter) and exit codes.
 * Signals, files and hostile input: test/hostile.test.ts.
 */
import { spawnSync } from 'node:child_process';
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
});
