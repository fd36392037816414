/**
 * The seed's three printouts (shared/reference/seed-tensorflow-learning-rate.md),
 * reproduced exactly by `lrscope trace` on both engines. The expected text is
 * copied from the article's printed output, not from lrscope.
 */
import { afterAll, expect, it } from 'vitest';
import { describeEngines, gpuEngine, type EngineName } from './helpers/engines';
import { runCli } from './helpers/cli';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());

async function trace(args: string[], engine: EngineName): Promise<string[]> {
  const { code, stdout, stderr } = await runCli(['trace', ...args, '--engine', engine], gpu);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout.trimEnd().split('\n');
}

describeEngines(gpu, 'the seed', (_, engine) => {
  it('lr = 0.2 converges to -0.99999994 in 40 steps', async () => {
    const lines = await trace(['--lr', '0.2', '--columns', 'w'], engine);
    expect(lines).toHaveLength(40);
    expect(lines.slice(-4)).toEqual(['-0.99999994', '-0.99999994', '-0.99999994', '-0.99999994']);
  });

  it('lr = 1 bounces between -7.0 and 5.0 forever', async () => {
    const lines = await trace(['--lr', '1', '--columns', 'w'], engine);
    expect(lines).toHaveLength(40);
    lines.forEach((line, i) => expect(line).toBe(i % 2 === 0 ? '-7.0' : '5.0'));
    expect(lines.slice(-5)).toEqual(['5.0', '-7.0', '5.0', '-7.0', '5.0']);
  });

  it('lr = 1 in df64 prints the same -7.0 and 5.0: they are exact in both precisions', async () => {
    const lines = await trace(['--lr', '1', '--columns', 'w', '--precision', 'df64'], engine);
    expect(lines).toHaveLength(40);
    lines.forEach((line, i) => expect(line).toBe(i % 2 === 0 ? '-7.0' : '5.0'));
  });

  it('exponential decay, staircase: the printed table', async () => {
    const lines = await trace(
      ['--lr', '0.1', '--schedule', 'exponential', '--decay-rate', '0.99', '--decay-steps', '1', '--staircase'],
      engine,
    );
    expect(lines).toHaveLength(40);
    expect(lines.slice(0, 4)).toEqual([
      '0.099 1 3.8 23.04',
      '0.09801 2 2.8495998 14.819419',
      '0.0970299 3 2.0950012 9.579033',
      '0.096059605 4 1.494386 6.2219615',
    ]);
    expect(lines.slice(35)).toEqual([
      '0.069641344 36 -0.9922965 5.9343653e-05',
      '0.06894493 37 -0.99336946 4.396406e-05',
      '0.068255484 38 -0.99428374 3.2675678e-05',
      '0.06757293 39 -0.9950641 2.436331e-05',
      '0.066897206 40 -0.9957312 1.8222867e-05',
    ]);
  });
});
