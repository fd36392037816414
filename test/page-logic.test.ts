/**
 * The page's logic that needs no browser: axis ranges and their cells, and
 * the neighbour across the nearest regime boundary.
 */
import { describe, expect, it } from 'vitest';
import { linearTickLabels, nearestIndex, rangeEdges, rangeText, rangeWithEdges, sameIn, unresolvedAxes, zoomEdges } from '../web/axes';
import { df64Missing, formatMagnification, magnification, mapPrecision, withPrecision } from '../web/precision';
import { AXIS_KEYS, PRESETS } from '../web/controls';
import { STRINGS } from '../web/i18n';
import { regimeWords, scoreBarGradient } from '../web/map-legend';
import { defaultState, searchFromState, stateFromSearch, withColor } from '../web/state';
import { parseSpec as parse, parseSpec as parseSpecInput, type SpecInput } from '../src/experiment';
import { REGIMES } from '../src/engine/types';
import { nearestOtherRegime } from '../web/picking';
import { PARAM_KEYS, PARAMS } from '../src/experiment';

describe('axis ranges', () => {
  it('a coarse pass covers the same cells as the fine one', () => {
    const fine = { start: 0.01, stop: 1.5, count: 256, log: false };
    const coarse = rangeWithEdges(rangeEdges(fine), 64, false);
    expect(rangeEdges(coarse)[0]).toBeCloseTo(rangeEdges(fine)[0], 12);
    expect(rangeEdges(coarse)[1]).toBeCloseTo(rangeEdges(fine)[1], 12);
    const log = { start: 1e-3, stop: 10, count: 100, log: true };
    const logCoarse = rangeWithEdges(rangeEdges(log), 25, true);
    expect(rangeEdges(logCoarse)[1] / rangeEdges(log)[1]).toBeCloseTo(1, 12);
    expect(rangeText(log)).toBe('0.001:10:100:log');
  });

  it('a value picks the cell whose centre is nearest, and none outside the map', () => {
    const r = { start: 0, stop: 1, count: 11, log: false };
    expect(nearestIndex(r, 0.34)).toBe(3);
    expect(nearestIndex(r, 0.36)).toBe(4);
    expect(nearestIndex(r, 1.04)).toBe(10);
    expect(nearestIndex(r, 1.2)).toBeUndefined();
    expect(nearestIndex({ start: 1, stop: 100, count: 3, log: true }, 9)).toBe(1); // 10 is the middle value
  });
});

describe("the keyboard's zoom around its cursor", () => {
  it('halves the window around the cursor, shifted to stay inside the view', () => {
    expect(zoomEdges([0, 8], 3, 0.5, false, [0, 8])).toEqual([1, 5]);
    expect(zoomEdges([0, 8], 7, 0.5, false, [0, 8])).toEqual([4, 8]);
    const [a, b] = zoomEdges([1, 1e4], 100, 0.5, true, [1, 1e4]); // two decades around 100, in log space
    expect(Math.log10(a)).toBeCloseTo(1, 12);
    expect(Math.log10(b)).toBeCloseTo(3, 12);
  });

  it('doubles it, no further than the view the zooms started from', () => {
    expect(zoomEdges([1, 5], 3, 2, false, [0, 8])).toEqual([0, 8]);
    expect(zoomEdges([4, 6], 5.5, 2, false, [0, 8])).toEqual([3.5, 7.5]);
    expect(zoomEdges([6, 8], 7, 2, false, [0, 8])).toEqual([4, 8]);
    expect(zoomEdges([10, 1000], 100, 2, true, [1, 1e4])).toEqual([1, 1e4]);
  });
});

describe('tick labels', () => {
  it.each<[number[], string[]]>([
    [[0, 0.25, 0.5, 0.75, 1], ['0.00', '0.25', '0.50', '0.75', '1.00']],
    [[1, 1.25, 1.5], ['1.00', '1.25', '1.50']],
    [[0.125, 0.375, 0.625, 0.875], ['0.125', '0.375', '0.625', '0.875']],
    [[0.025, 0.05, 0.075, 0.1], ['0.025', '0.050', '0.075', '0.100']],
    [[0.1, 0.2, 0.30000000000000004, 0.4], ['0.1', '0.2', '0.3', '0.4']],
    [[-5.551115123125783e-17, 0.5, 1], ['0.0', '0.5', '1.0']],
    [[0, 2, 4], ['0', '2', '4']],
  ])('%j → %j: every tick as written, none rounded to a neighbour', (splits, labels) => {
    expect(linearTickLabels(splits)).toEqual(labels);
  });
});

describe('the neighbour across the nearest boundary', () => {
  it('is the closest point of another regime, ring by ring', () => {
    // 5 × 4 grid, x fastest: regime 1 in the right column only.
    const regimes = Uint8Array.from({ length: 20 }, (_, i) => (i % 5 === 4 ? 1 : 0));
    expect(nearestOtherRegime(regimes, 5, 4, [0, 0])).toEqual([4, 0]);
    expect(nearestOtherRegime(regimes, 5, 4, [3, 2])).toEqual([4, 2]);
    expect(nearestOtherRegime(regimes, 5, 4, [4, 1])).toEqual([3, 1]);
    expect(nearestOtherRegime(new Uint8Array(20), 5, 4, [2, 2])).toBeUndefined();
  });
});

describe('the form', () => {
  it('offers every sweepable number of the spec as a map axis', () => {
    for (const key of PARAM_KEYS) {
      const def = PARAMS[key];
      const number = def.type === 'number' || (def.type === 'vector' && def.perDimension);
      expect(AXIS_KEYS.includes(key), key).toBe(def.sweepable && number);
    }
    expect(AXIS_KEYS[0]).toBe('lr');
  });
});

describe('trainability colouring', () => {
  it('asks a quadratic for its loss record, and leaves a network (which keeps one) and the regime colouring alone', () => {
    const quadratic = { lr: '0.1:1:8', curvature: '1:2:8' };
    expect(withColor(quadratic, 'trainability')).toEqual({ ...quadratic, trainability: 'true' });
    expect(withColor(quadratic, 'regime')).toBe(quadratic);
    const network = { inputLr: '0.1:1:8', outputLr: '0.1:1:8', objective: 'mlp' };
    expect(withColor(network, 'trainability')).toBe(network);
    expect(parse(withColor(network, 'trainability')).base.trainability).toBe(true);
  });

  it('reads color= from the URL, and explains a value it does not know', () => {
    const defaults = defaultState(32);
    const ok = stateFromSearch('?lr=0.1:1:8&curvature=1:2:8&color=trainability', defaults);
    expect(ok.error).toBeUndefined();
    expect(ok.state.color).toBe('trainability');
    expect(ok.spec.base.trainability).toBe(true);
    const bad = stateFromSearch('?lr=0.1:1:8&curvature=1:2:8&color=rainbow', defaults);
    expect(bad.error).toBe('color: "rainbow" is not a colouring; expected regime or trainability');
    expect(bad.state.color).toBe('regime');
  });

  it('its colour bar runs from Spectral\'s blue end (trainable) to its red end', () => {
    // matplotlib's Spectral: #5e4fa2 at 1, #9e0142 at 0.
    expect(scoreBarGradient()).toMatch(/^linear-gradient\(90deg, rgb\(94,79,162\) 0%, .* rgb\(158,1,66\) 100%\)$/);
  });
});

describe("the network's regimes", () => {
  it('are named by the loss for a network, by the gradient otherwise, in both languages', () => {
    const network = parse({ inputLr: '0.1:1:8', outputLr: '0.1:1:8', objective: 'mlp' });
    const quadratic = parse({ lr: '0.1:1:8', curvature: '1:2:8' });
    expect(REGIMES.map((r) => regimeWords(network, STRINGS.en).regimes[r])).toEqual(['trained', 'decreasing', 'oscillating', 'not learning', 'diverged']);
    expect(regimeWords(quadratic, STRINGS.en).regimes.stalled).toBe('stalled');
    for (const lang of ['en', 'zh'] as const) {
      for (const r of REGIMES) expect(regimeWords(network, STRINGS[lang]).meaning[r].length, `${lang} ${r}`).toBeGreaterThan(5);
    }
  });
});

describe("the trainability paper's presets", () => {
  it('are its five maps: a 16-wide network, 500 steps, rates from 1e-3 to 1e6, coloured by trainability', () => {
    const paper = PRESETS.filter((p) => p.id.startsWith('paper-'));
    expect(paper.map((p) => p.id)).toEqual(['paper-tanh', 'paper-relu', 'paper-identity', 'paper-minibatch', 'paper-init']);
    for (const p of paper) {
      expect(p.color, p.id).toBe('trainability');
      expect(p.spec).toMatchObject({ objective: 'mlp', width: '16', steps: '500' });
      for (const lang of ['en', 'zh'] as const) expect(p.label(STRINGS[lang])).toMatch(/^(Paper|论文)/);
    }
    const [tanh, relu, identity, minibatch, init] = paper as [(typeof paper)[0], (typeof paper)[0], (typeof paper)[0], (typeof paper)[0], (typeof paper)[0]];
    // As many data points as parameters, 16² + 16, for the nonlinear networks; the width for the linear one.
    for (const p of [tanh, relu, minibatch, init]) expect(p.spec.dataPoints).toBe('272');
    expect(identity.spec.dataPoints).toBe('16');
    for (const [p, activation] of [
      [tanh, undefined],
      [relu, 'relu'],
      [identity, 'identity'],
    ] as const) {
      const spec = parse(p.spec);
      expect(spec.base.activation).toBe(activation ?? 'tanh');
      expect(spec.axes.map((a) => [a.key, a.values.length, a.values[0], a.values.at(-1)])).toEqual([
        ['inputLr', 64, 0.001, 1e6],
        ['outputLr', 64, 0.001, 1e6],
      ]);
    }
    expect(minibatch.spec).toMatchObject({ minibatch: '16', inputLr: '0.001:1000000:64:log', outputLr: '0.001:1000000:64:log' });
    expect(init.spec).toMatchObject({ initOffset: '0.001:1000000:64:log', lr: '0.001:1000000:64:log' });
    expect(Object.keys(init.spec)).not.toContain('inputLr');
    // The minibatch and the offset are specs the library accepts: a 16-point draw per step, the offset on x.
    expect(parse(minibatch.spec).base.minibatch).toBe(16);
    expect(parse(init.spec).axes.map((a) => [a.key, a.values.length, a.values[0], a.values.at(-1)])).toEqual([
      ['initOffset', 64, 0.001, 1e6],
      ['lr', 64, 0.001, 1e6],
    ]);
  });
});

describe('the precision of a deep zoom', () => {
  const parse = (input: Record<string, string>) => parseSpecInput(input as SpecInput);
  const deep = { lr: '1:1.000001:64', curvature: '1.9:2.1:16', steps: '50' };
  const wide = { lr: '0.01:1.5:32', curvature: '0.25:4:32', steps: '50' };

  it('auto runs df64 exactly where float32 cannot resolve the view and the optimizer and schedule have df64 versions', () => {
    expect(unresolvedAxes(parse(deep))).toEqual(['lr']);
    expect(mapPrecision(parse(deep), 'auto')).toBe('df64');
    expect(mapPrecision(parse(wide), 'auto')).toBe('float32');
    expect(mapPrecision(parse({ ...deep, schedule: 'exponential', decayRate: '0.9' }), 'auto')).toBe('df64');
    expect(mapPrecision(parse({ ...deep, optimizer: 'adam' }), 'auto')).toBe('float32');
    expect(df64Missing(parse({ ...deep, optimizer: 'adam' }))).toBe('optimizer adam');
    expect(df64Missing(parse({ ...deep, schedule: 'cyclic-lr', maxLr: '2' }))).toBe('schedule cyclic-lr');
    // A swept optimizer or schedule counts with every value it takes.
    expect(df64Missing(parse({ lr: '1:1.000001:64', optimizer: 'gd,momentum,adam', steps: '50' }))).toBe('optimizer adam');
    expect(df64Missing(parse({ lr: '1:1.000001:64', optimizer: 'gd,nesterov', steps: '50' }))).toBeUndefined();
    // A chosen precision holds at every zoom.
    expect(mapPrecision(parse(deep), 'float32')).toBe('float32');
    expect(mapPrecision(parse(wide), 'df64')).toBe('df64');
  });

  it('df64 resolves what float32 cannot, down to neighbours that share hi = float32(x) and lo = float32(x − hi)', () => {
    expect(unresolvedAxes(parse(deep), 'df64')).toEqual([]);
    expect(unresolvedAxes(parse({ ...deep, lr: '1:1.00000000000001:64' }), 'df64')).toEqual(['lr']);
    expect(sameIn('float32', 1, 1 + 1e-9)).toBe(true);
    expect(sameIn('df64', 1, 1 + 1e-9)).toBe(false);
    expect(sameIn('df64', 1, 1 + 1e-16)).toBe(true);
  });

  it('the URL says precision=df64 where auto runs it, and reads it back as auto there and as a choice elsewhere', () => {
    const defaults = defaultState(64);
    const search = (input: Record<string, string>, precision: 'auto' | 'float32' | 'df64') =>
      searchFromState({ ...defaults, spec: input as SpecInput, precision }, defaults);
    expect(search(deep, 'auto')).toContain('precision=df64');
    expect(search(wide, 'auto')).not.toContain('precision');
    expect(search(wide, 'float32')).toContain('precision=float32');
    expect(search({ ...deep, optimizer: 'adam' }, 'auto')).not.toContain('precision');

    const back = stateFromSearch(search(deep, 'auto'), defaults);
    expect(back.error).toBeUndefined();
    expect(back.state.precision).toBe('auto');
    expect(back.spec.base.precision).toBe('df64');
    expect(back.state.spec).not.toHaveProperty('precision');
    const chosen = stateFromSearch(search(wide, 'df64'), defaults);
    expect(chosen.state.precision).toBe('df64');
    expect(chosen.spec.base.precision).toBe('df64');
    expect(stateFromSearch('?lr=0.01:1.5:32&curvature=0.25:4:32&precision=double', defaults).error).toMatch(/precision.*auto, float32 or df64/);
    expect(stateFromSearch('?lr=0.01:1.5:32&curvature=0.25:4:32&optimizer=adam&precision=df64', defaults).error).toMatch(/adam has no df64 version/);
  });

  it('fast math comes from the URL, and is refused by name for the quadratic', () => {
    const defaults = defaultState(32);
    const net = stateFromSearch('?objective=mlp&inputLr=0.1:10:16:log&outputLr=0.1:10:16:log&fastMath=true', defaults);
    expect(net.error).toBeUndefined();
    expect(net.spec.base.fastMath).toBe(true);
    expect(stateFromSearch('?lr=0.01:1.5:32&curvature=0.25:4:32&fastMath=true', defaults).error).toMatch(/^fastMath: has nothing to relax in objective quadratic; expected a test function, a typed-in loss or the network \(objective rosenbrock, expression, mlp, …\)/);
    // Fast math relaxes float32 alone: a map the page runs in df64 runs exact.
    expect(withPrecision({ objective: 'mlp', fastMath: 'true' } as SpecInput, 'df64')).toEqual({ objective: 'mlp', precision: 'df64' });
    expect(withPrecision({ objective: 'mlp', fastMath: 'true' } as SpecInput, 'float32')).toEqual({ objective: 'mlp', fastMath: 'true' });
    expect(stateFromSearch('?objective=mlp&inputLr=0.1:10:16:log&outputLr=0.1:10:16:log&fastMath=maybe', defaults).error).toMatch(/^fastMath: "maybe" is not true or false/);
  });

  it("a zoom's URL keeps every digit df64 tells apart", () => {
    const r = { start: 1 + 3e-13, stop: 1 + 9e-13, count: 32, log: false };
    const [start, stop] = rangeText(r).split(':').map(Number) as [number, number];
    expect(sameIn('df64', start, r.start) && sameIn('df64', stop, r.stop)).toBe(true);
    expect(unresolvedAxes(parse({ ...deep, lr: rangeText(r) }), 'df64')).toEqual([]);
    // A view float32 resolves keeps its short form.
    expect(rangeText({ start: 0.01, stop: 1.5, count: 64, log: false })).toBe('0.01:1.5:64');
  });

  it('magnification: the span the zooms started from over the span shown, on the axis zoomed most, in decades on a log axis', () => {
    const home = parse({ lr: '0:2:33', curvature: '0.001:1000:31:log' });
    expect(magnification(home, home)).toBeCloseTo(1, 12);
    const zoomed = parse({ lr: '0.5:0.5000002:33', curvature: '0.1:1:31:log' });
    expect(magnification(home, zoomed)).toBeCloseTo(2 / 2e-7, 0);
    // Only the log axis zoomed: 6 decades over 1.
    expect(magnification(home, parse({ lr: '0:2:33', curvature: '1:10:31:log' }))).toBeCloseTo(6, 10);
    expect(magnification(undefined, home)).toBeUndefined();
    expect(magnification(parse({ decayRate: '0.8:1:8', schedule: 'exponential', minimum: '-1:1:4' }), home)).toBeUndefined();
  });

  it('formats a magnification compactly', () => {
    expect(formatMagnification(1)).toBe('1×');
    expect(formatMagnification(3.24)).toBe('3.2×');
    expect(formatMagnification(32.4)).toBe('32×');
    expect(formatMagnification(3240)).toBe('3200×');
    expect(formatMagnification(3.2e8)).toBe('3.2 × 10⁸');
    expect(formatMagnification(2.44e11)).toBe('2.4 × 10¹¹');
    expect(formatMagnification(9.96e8)).toBe('1.0 × 10⁹');
    expect(formatMagnification(1.2e13)).toBe('1.2 × 10¹³');
  });
});
