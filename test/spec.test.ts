/** The value syntax and spec validation: what is accepted, and the one-line errors for what is not. */
import { describe, expect, it } from 'vitest';
import { SpecError } from '../src/errors';
import { cellAt, gridSize, parseSpec } from '../src/experiment';
import { parseNumberValue, parseVectorValue, rangeValues } from '../src/experiment/values';

describe('value syntax', () => {
  it('one value, a list, a linear range, a log range', () => {
    expect(parseNumberValue('0.2')).toEqual({ kind: 'fixed', value: 0.2 });
    expect(parseNumberValue('0.1, 0.2,0.5')).toEqual({ kind: 'sweep', values: [0.1, 0.2, 0.5], scale: 'list' });
    expect(parseNumberValue('0:1:5')).toEqual({ kind: 'sweep', values: [0, 0.25, 0.5, 0.75, 1], scale: 'linear' });
    const log = parseNumberValue('1e-3:10:5:log');
    expect(log.kind === 'sweep' && log.values.map((v) => Number((v as number).toPrecision(12)))).toEqual([0.001, 0.01, 0.1, 1, 10]);
  });

  it('ranges include both ends exactly', () => {
    const values = rangeValues(0.01, 1.5, 1024, 'linear');
    expect(values[0]).toBe(0.01);
    expect(values[1023]).toBe(1.5);
    const log = rangeValues(1e-4, 3, 77, 'log');
    expect(log[0]).toBe(1e-4);
    expect(log[76]).toBe(3);
  });

  it('vectors, lists of vectors, and vectors with a swept component', () => {
    expect(parseVectorValue('[1,100]')).toEqual({ kind: 'fixed', value: [1, 100] });
    expect(parseVectorValue('[1,1],[1,100]')).toEqual({ kind: 'sweep', values: [[1, 1], [1, 100]], scale: 'list' });
    const c = parseVectorValue('[1, 1:1000:4:log]');
    expect(c.kind).toBe('components');
    expect(parseVectorValue('0.5:4:8').kind).toBe('sweep'); // a scalar sweep, broadcast to every dimension
  });
});

describe('specs', () => {
  it("defaults are the seed's: (w+1)², w0 = 5, constant lr 0.2", () => {
    const spec = parseSpec({});
    expect(spec.base).toMatchObject({ curvature: [2], minimum: [-1], w0: [5], lr: 0.2, schedule: 'constant', optimizer: 'gd' });
    expect(spec.axes).toHaveLength(0);
    expect(gridSize(spec)).toBe(1);
  });

  it('the grid is the cartesian product, first axis fastest, in the order given', () => {
    const spec = parseSpec({ decayRate: '0.9,1', schedule: 'exponential', lr: '0.1:0.3:3' });
    expect(spec.axes.map((a) => a.name)).toEqual(['decayRate', 'lr']);
    expect(gridSize(spec)).toBe(6);
    expect(cellAt(spec, 0)).toMatchObject({ decayRate: 0.9, lr: 0.1 });
    expect(cellAt(spec, 1)).toMatchObject({ decayRate: 1, lr: 0.1 });
    expect(cellAt(spec, 5).lr).toBeCloseTo(0.3, 15);
  });

  it('a swept vector component is its own axis; scalars broadcast to every dimension', () => {
    const spec = parseSpec({ curvature: '[1,1:100:3]', w0: 5 });
    expect(spec.dims).toBe(2);
    expect(spec.axes.map((a) => a.name)).toEqual(['curvature[1]']);
    expect(cellAt(spec, 2)).toMatchObject({ curvature: [1, 100], w0: [5, 5] });
  });

  it('decay-steps defaults to the number of steps', () => {
    expect(parseSpec({ schedule: 'cosine', steps: 300 }).base.decaySteps).toBe(300);
  });

  it('JSON forms: numbers, arrays, range objects, value lists', () => {
    const spec = parseSpec({ lr: { start: 0.1, stop: 1, count: 4, scale: 'log' }, curvature: [1, 10], w0: { values: [[1, 2], [3, 4]] } });
    expect(spec.axes.map((a) => [a.name, a.values.length])).toEqual([
      ['lr', 4],
      ['w0', 2],
    ]);
    expect(spec.dims).toBe(2);
  });
});

/** Each bad input gives a SpecError naming the field, with the accepted form. */
function rejects(input: unknown, field: string, words: RegExp) {
  let error: unknown;
  try {
    parseSpec(input, 'flag');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SpecError);
  const e = error as SpecError;
  expect(e.field).toBe(field);
  expect(e.message).toMatch(words);
  expect(e.message).not.toContain('\n');
}

describe('bad input is rejected with the field and the accepted form', () => {
  it.each([
    ['unparsable number', { lr: 'fast' }, '--lr', /"fast" is not a number; expected a number/],
    ['NaN', { lr: 'NaN' }, '--lr', /"NaN" is not a number/],
    ['Infinity', { curvature: 'Infinity' }, '--curvature', /"Infinity" is not a number/],
    ['overflowing number', { lr: '1e400' }, '--lr', /out of range/],
    ['empty range', { lr: '0.1:0.1:5' }, '--lr', /empty/],
    ['zero count', { lr: '0.1:1:0' }, '--lr', /empty/],
    ['range without count', { lr: '0.1:1' }, '--lr', /not a range/],
    ['fractional count', { lr: '0.1:1:2.5' }, '--lr', /count "2.5" is not a positive whole number/],
    ['bad scale', { lr: '0.1:1:4:cubic' }, '--lr', /not a range scale/],
    ['log range touching zero', { lr: '0:1:8:log' }, '--lr', /log range must stay above zero/],
    ['log range through negatives', { lr: '-1:1:8:log' }, '--lr', /log range must stay above zero/],
    ['list with a hole', { lr: '0.1,,0.2' }, '--lr', /a value is missing/],
    ['missing value', { lr: '' }, '--lr', /a value is missing/],
    ['unknown schedule', { schedule: 'warp' }, '--schedule', /"warp" is not one of constant, exponential/],
    ['unknown parameter', { learningRate: 0.1 }, '--learningRate', /not a known parameter/],
    ['steps not an integer', { steps: '10.5' }, '--steps', /10\.5 is not a whole number from 1 to 2147483647/],
    ['steps zero', { steps: '0' }, '--steps', /0 is not a whole number from 1/],
    ['steps negative', { steps: '-4' }, '--steps', /-4 is not a whole number from 1/],
    ['steps swept', { steps: '10,20' }, '--steps', /cannot be swept/],
    ['decay steps zero', { schedule: 'exponential', decaySteps: '0' }, '--decay-steps', /not positive/],
    ['parameter of another schedule', { decayRate: '0.9' }, '--decay-rate', /not used by schedule constant.*exponential/],
    ['cyclic-lr without its top', { schedule: 'cyclic-lr' }, '--max-lr', /is required by schedule cyclic-lr/],
    ['one-cycle-lr shorter than the run', { schedule: 'one-cycle-lr', decaySteps: '100', steps: '1000' }, '--decay-steps', /too few total steps for one-cycle-lr over 1000 steps; expected at least 999/],
    ['PyTorch T_mult not whole', { schedule: 'cosine-annealing-warm-restarts', tMult: '1.5' }, '--t-mult', /not a positive whole number/],
    ['unknown convention', { optimizer: 'adam', convention: 'pytorch' }, '--convention', /"pytorch" is not one of tf, torch, keras/],
    ['convention range', { optimizer: 'adam', convention: '0:1:3' }, '--convention', /"0:1:3" is not one of tf, torch, keras/],
    ['parameter read by no swept optimizer', { optimizer: 'gd,momentum', beta1: '0.9' }, '--beta1', /not used by optimizer gd, momentum; expected an optimizer that uses it \(adam\)/],
    ['optimizer parameter of another optimizer', { optimizer: 'adam', rho: '0.9' }, '--rho', /not used by optimizer adam; expected an optimizer that uses it \(rmsprop, adadelta\)/],
    ['negative epsilon', { optimizer: 'adam', epsilon: '-1e-8' }, '--epsilon', /-1e-8 is not positive/],
    ['vector of the wrong length', { curvature: '[1,2]', w0: '[1,2,3]' }, '--w0', /3 components but --curvature has 2/],
    ['unbalanced bracket', { curvature: '[1,2' }, '--curvature', /unbalanced/],
    ['boolean', { schedule: 'exponential', staircase: 'maybe' }, '--staircase', /"maybe" is not true or false/],
    ['piecewise without values', { schedule: 'piecewise_constant', boundaries: '[10]' }, '--values', /required/],
    ['piecewise lengths', { schedule: 'piecewise_constant', boundaries: '[10,20]', values: '[1,0.5]' }, '--values', /2 rates for 2 boundaries/],
    ['piecewise order', { schedule: 'piecewise_constant', boundaries: '[20,10]', values: '[1,0.5,0.1]' }, '--boundaries', /not strictly increasing/],
    ['t-mul below 1', { schedule: 'cosine_restarts', tMul: '0.5' }, '--t-mul', /less than 1/],
    ['negative tolerance', { tol: '-1' }, '--tol', /not positive/],
  ])('%s', (_, input, field, words) => rejects(input, field, words));

  it('a grid too large for 32-bit indices', () => {
    rejects({ lr: '0:1:70000', w0: '0:1:70000' }, '--lr × --w0', /4900000000 trajectories/);
  });

  it('JSON values of the wrong type', () => {
    expect(() => parseSpec({ lr: { values: [] } })).toThrow(SpecError);
    expect(() => parseSpec({ lr: [true] })).toThrow(/^lr: has the wrong type; expected a number/);
    expect(() => parseSpec({ lr: { values: [true, false] } })).toThrow(/^lr: a boolean does not fit here/);
    expect(() => parseSpec([1, 2])).toThrow(SpecError);
  });
});

describe('optimizer defaults follow the optimizer and convention', () => {
  // The frameworks' documented defaults (reference §2).
  it.each([
    ['momentum', 'tf', { momentum: 0.9 }],
    ['adam', 'tf', { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }],
    ['adam', 'keras', { epsilon: 1e-7 }],
    ['rmsprop', 'tf', { rho: 0.9, momentum: 0, epsilon: 1e-10, centered: false }],
    ['rmsprop', 'torch', { rho: 0.99, epsilon: 1e-8 }],
    ['rmsprop', 'keras', { rho: 0.9, epsilon: 1e-7 }],
    ['adagrad', 'tf', { initialAccumulator: 0.1 }],
    ['adagrad', 'torch', { initialAccumulator: 0, epsilon: 1e-10 }],
    ['adadelta', 'tf', { rho: 0.95, epsilon: 1e-8 }],
    ['adadelta', 'torch', { rho: 0.9, epsilon: 1e-6 }],
  ] as const)('%s, %s', (optimizer, convention, expected) => {
    expect(parseSpec({ optimizer, convention }).base).toMatchObject(expected);
  });
  it('a given value wins over the default', () => {
    expect(parseSpec({ optimizer: 'rmsprop', convention: 'torch', rho: 0.5 }).base.rho).toBe(0.5);
  });
});

describe('the network’s offset and minibatch as JSON fields', () => {
  it('takes initOffset as a range object and minibatch as a number', () => {
    const spec = parseSpec({ objective: 'mlp', width: 2, initOffset: { start: -1, stop: 1, count: 5 }, minibatch: 3 });
    expect(spec.axes.map((a) => [a.key, a.values])).toEqual([['initOffset', [-1, -0.5, 0, 0.5, 1]]]);
    expect(spec.base.minibatch).toBe(3);
    expect(parseSpec({ objective: 'mlp' }).base.minibatch).toBeUndefined();
    expect(parseSpec({ objective: 'mlp' }).base.initOffset).toBe(0);
  });

  it.each([
    [{ objective: 'mlp', width: 2, minibatch: 7 }, /^minibatch: 7 is more than the 6 data points; expected a whole number from 1 to 6 \(the data points, dataPoints\)$/],
    [{ objective: 'mlp', minibatch: [1, 2] }, /^minibatch: cannot be swept/],
    [{ objective: 'mlp', initOffset: 'abc' }, /^initOffset: .*expected a number, a list like/],
    [{ initOffset: 1 }, /^initOffset: not used by objective quadratic; expected objective mlp/],
  ] as const)('%j is refused, naming the JSON field', (input, pattern) => {
    expect(() => parseSpec(input)).toThrow(pattern);
  });
});
