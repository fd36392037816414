/**
 * Sweeps of any size: chunks stream in grid order, progress is reported and
 * cancellation through an AbortSignal lands mid-run, on both engines.
 */
import { afterAll, expect, it } from 'vitest';
import { CancelledError } from '../src/errors';
import { parseSpec } from '../src/experiment';
import { sweep } from '../src/sweep';
import type { Progress } from '../src/engine/types';
import { describeEngines, gpuEngine } from './helpers/engines';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());

describeEngines(gpu, 'streaming', (engine) => {
  it('streams chunks in grid order and reports monotone progress', async () => {
    const spec = parseSpec({ lr: '0.01:1.5:100', w0: '1:9:7', steps: 64 });
    const progress: Progress[] = [];
    const starts: number[] = [];
    let count = 0;
    for await (const chunk of sweep(spec, engine, { chunkSize: 128, stepsPerDispatch: 16, onProgress: (p) => progress.push(p) })) {
      starts.push(chunk.start);
      count += chunk.count;
    }
    expect(count).toBe(700);
    expect(starts).toEqual([0, 128, 256, 384, 512, 640]);
    expect(progress.length).toBeGreaterThan(5);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
    expect(progress.at(-1)).toEqual({ done: 700 * 64, total: 700 * 64 });
  });

  it('runs a range of the grid, equal to that slice of the whole run', async () => {
    const spec = parseSpec({ lr: '0.01:1.5:50', w0: '1:9:9', steps: 80 });
    const whole: number[] = [];
    for await (const chunk of sweep(spec, engine)) whole.push(...chunk.finalW);
    const part: number[] = [];
    const starts: number[] = [];
    for await (const chunk of sweep(spec, engine, { range: { start: 100, count: 250 }, chunkSize: 64 })) {
      starts.push(chunk.start);
      part.push(...chunk.finalW);
    }
    expect(starts).toEqual([100, 164, 228, 292]);
    expect(part).toEqual(whole.slice(100, 350));
  });

  it('stops when the signal fires', async () => {
    const spec = parseSpec({ lr: '0.01:1.5:300', w0: '1:9:300', steps: 400 });
    const controller = new AbortController();
    let chunks = 0;
    const run = async () => {
      for await (const _chunk of sweep(spec, engine, { chunkSize: 1000, signal: controller.signal, onProgress: (p) => p.done > 0 && controller.abort() })) {
        chunks++;
      }
    };
    await expect(run()).rejects.toBeInstanceOf(CancelledError);
    expect(chunks).toBeLessThan(90);
  });
});
