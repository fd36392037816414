/**
 * Box-counting dimension of masks and regime boundaries. Every expected value
 * is a set's known dimension, or a box count worked out by hand from how the
 * set sits on the dyadic box lattice, never a number read back from the code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { random } from './helpers/random';
import { boundaryDimension, BoundaryCounter, boxCountingDimension, edgeMap } from '../src/analysis/fractal';

/** A width × height grid in grid order (x fastest), 1 where `inside(x, y)`. */
function grid(width: number, height: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const cells = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) cells[y * width + x] = inside(x, y) ? 1 : 0;
  return cells;
}

function transpose(cells: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(cells.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[x * height + y] = cells[y * width + x]!;
  return out;
}

const N = 512;
// Box sides the fit uses on a 512 × 512 grid: powers of two up to 512 / 4.
const SIZES_512 = [1, 2, 4, 8, 16, 32, 64, 128];

describe('edgeMap', () => {
  it('marks the cell before each change along x and along y', () => {
    // 3 × 2, regimes  0 0 1
    //                 0 2 2
    const regimes = Uint8Array.from([0, 0, 1, 0, 2, 2]);
    // (1,0): right is 1. (2,0): below is 2 ≠ 1. (0,0): below is 0, right is 0: unmarked.
    // (0,1): right is 2. (1,1), (2,1): last row, right equal or none.
    expect(Array.from(edgeMap(regimes, 3, 2))).toEqual([0, 1, 1, 1, 0, 0]);
  });

  it('rejects a grid whose size does not match its cells', () => {
    expect(() => edgeMap(new Uint8Array(5), 2, 3)).toThrow(/5 cells do not fill a 2 × 3 grid/);
  });
});

describe('box counting: straight lines have dimension 1', () => {
  it('horizontal and vertical segments that do not span the grid (±0.05 at 512 × 512)', () => {
    // N(s) ≈ length / s plus at most one box at each end.
    const horizontal = boxCountingDimension(grid(N, N, (x, y) => y === 201 && x >= 10 && x < 500), N, N);
    const vertical = boxCountingDimension(grid(N, N, (x, y) => x === 333 && y >= 11 && y < 490), N, N);
    expect(horizontal.sizes).toEqual(SIZES_512);
    expect(horizontal.cells).toBe(490);
    expect(Math.abs(horizontal.dimension! - 1)).toBeLessThan(0.05);
    expect(Math.abs(vertical.dimension! - 1)).toBeLessThan(0.05);
  });

  it('the diagonals: one box per box-diagonal, N(s) = 512 / s exactly', () => {
    // x = y meets box (X, Y) iff X = Y; x + y = 511 meets it iff X + Y = 512/s − 1.
    // Either way N(s) = 512 / s, a slope of exactly 1.
    for (const on of [(x: number, y: number) => x === y, (x: number, y: number) => x + y === N - 1]) {
      const fit = boxCountingDimension(grid(N, N, on), N, N);
      expect(fit.counts).toEqual(SIZES_512.map((s) => N / s));
      expect(fit.dimension).toBeCloseTo(1, 12);
      expect(fit.r2).toBeCloseTo(1, 12);
    }
  });

  it('a diagonal regime boundary off the box lattice (±0.05)', () => {
    // The edge map of x > y + 5 is a 4-connected staircase, two cells a row,
    // which is what a line at 45° crosses: about 2·512/s boxes of side s.
    const fit = boundaryDimension(grid(N, N, (x, y) => x > y + 5), N, N);
    expect(Math.abs(fit.dimension! - 1)).toBeLessThan(0.05);
  });
});

describe('box counting: areas and smooth boundaries', () => {
  it('a filled square has dimension 2: N(s) = (512 / s)²', () => {
    const fit = boxCountingDimension(new Uint8Array(N * N).fill(1), N, N);
    expect(fit.counts).toEqual(SIZES_512.map((s) => (N / s) ** 2));
    expect(fit.dimension).toBeCloseTo(2, 12);
  });

  it('the boundary of a disk (regime 1 inside, 0 outside) is a curve: ≈ 1 (±0.1)', () => {
    const fit = boundaryDimension(grid(N, N, (x, y) => (x - 255.5) ** 2 + (y - 260.3) ** 2 < 200 ** 2), N, N);
    expect(Math.abs(fit.dimension! - 1)).toBeLessThan(0.1);
    expect(fit.r2!).toBeGreaterThan(0.99);
  });

  it('a half-plane split at an angle: boundary ≈ 1 (±0.05)', () => {
    const fit = boundaryDimension(grid(N, N, (x, y) => y < 0.37 * x + 100), N, N);
    expect(Math.abs(fit.dimension! - 1)).toBeLessThan(0.05);
  });
});

describe('box counting: self-similar sets', () => {
  it('Sierpinski triangle at 2^9: N(2^j) = 3^(9−j), so the dimension is log 3 / log 2 exactly', () => {
    // Pascal's triangle mod 2: (x, y) is in the set iff x AND y = 0. A box of side
    // 2^j holds a cell of the set iff its box coordinates (X, Y) do (the low bits
    // can be chosen 0), and the 2^(9−j) × 2^(9−j) box grid holds 3^(9−j) such boxes.
    const fit = boxCountingDimension(grid(N, N, (x, y) => (x & y) === 0), N, N);
    expect(fit.counts).toEqual(SIZES_512.map((s) => 3 ** (9 - Math.log2(s))));
    expect(fit.dimension).toBeCloseTo(Math.log2(3), 9);
  });

  it('Sierpinski triangle as a regime map: its boundary tends to log 3 / log 2 from above', () => {
    // The edge map adds the straight sides of every hole, a term that grows like
    // 2^(9−j) beside the set's 3^(9−j), so finer grids get closer to log₂3 but stay above it.
    const at = (k: number) => boundaryDimension(grid(2 ** k, 2 ** k, (x, y) => (x & y) === 0), 2 ** k, 2 ** k).dimension!;
    const [coarse, fine] = [at(8), at(10)];
    expect(fine).toBeGreaterThan(Math.log2(3));
    expect(fine).toBeLessThan(coarse);
    expect(fine - Math.log2(3)).toBeLessThan(0.1);
  });

  it('Sierpinski carpet at 3^6: log 8 / log 3 within ±0.05', () => {
    // (x, y) is removed iff some base-3 digit pair is (1, 1). Dyadic boxes do not
    // line up with the triadic holes, so a box straddling a hole's edge counts as
    // occupied; that bends N(s) at large s and is why the tolerance is ±0.05, not exact.
    const side = 3 ** 6;
    const inCarpet = (x: number, y: number) => {
      for (; x > 0 || y > 0; x = Math.floor(x / 3), y = Math.floor(y / 3)) if (x % 3 === 1 && y % 3 === 1) return false;
      return true;
    };
    const fit = boxCountingDimension(grid(side, side, inCarpet), side, side);
    expect(fit.sizes).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    expect(fit.cells).toBe(8 ** 6);
    expect(Math.abs(fit.dimension! - Math.log(8) / Math.log(3))).toBeLessThan(0.05);
  });
});

describe('box counting: noise fills the plane', () => {
  it('uniformly random regimes: a boundary of dimension ≈ 2, as far below 2 as N(1) is below the cell count', () => {
    const side = 256;
    const next = random(12345);
    const regimes = Uint8Array.from({ length: side * side }, () => Math.floor(next() * 5));
    const fit = boundaryDimension(regimes, side, side);
    // With 5 equally likely regimes an inner cell is off the boundary only when its
    // right and lower neighbours both match it: probability 1/25. Every box of side
    // ≥ 2 is then occupied, so log₂N(s) = log₂(side²/s²) except at s = 1, where it is
    // lower by log₂(24/25). Over x = 0, −1, …, −6 (s = 1 … 64, x̄ = −3, Σ(x − x̄)² = 28)
    // that one point lowers the least-squares slope by log₂(24/25)·3/28.
    const expected = 2 + (Math.log2(24 / 25) * 3) / 28;
    expect(fit.sizes).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(fit.dimension!).toBeLessThanOrEqual(2);
    // ±0.002 covers the last row and column (fewer neighbours) and the sampling noise.
    expect(Math.abs(fit.dimension! - expected)).toBeLessThan(0.002);
  });
});

describe('box counting: no dimension where the fit means nothing', () => {
  it('a map in one regime has no boundary', () => {
    const fit = boundaryDimension(new Uint8Array(64 * 64).fill(2), 64, 64);
    expect(fit).toMatchObject({ dimension: null, r2: null, cells: 0, reason: 'too few boundary cells' });
  });

  it('an empty mask', () => {
    expect(boxCountingDimension(new Uint8Array(32 * 32), 32, 32)).toMatchObject({ dimension: null, reason: 'too few boundary cells' });
  });

  it('grids under 16 cells a side leave fewer than 3 box sizes', () => {
    const diagonal = (w: number, h: number) => boundaryDimension(grid(w, h, (x, y) => x > y), w, h);
    expect(diagonal(8, 8)).toMatchObject({ dimension: null, reason: 'grid too small', sizes: [1, 2] });
    expect(diagonal(100, 15)).toMatchObject({ dimension: null, reason: 'grid too small' });
    expect(diagonal(1, 1)).toMatchObject({ dimension: null, reason: 'grid too small', sizes: [], cells: 0 });
    expect(diagonal(16, 16).dimension).not.toBeNull();
  });

  it('a single point has dimension 0', () => {
    const fit = boxCountingDimension(grid(64, 64, (x, y) => x === 3 && y === 7), 64, 64);
    expect(fit.dimension).toBe(0);
    expect(fit.r2).toBeNull();
  });
});

describe('properties', () => {
  const maps = fc
    .record({ width: fc.integer({ min: 16, max: 48 }), height: fc.integer({ min: 16, max: 48 }), regimes: fc.integer({ min: 1, max: 5 }) })
    .chain(({ width, height, regimes }) =>
      fc.record({
        width: fc.constant(width),
        height: fc.constant(height),
        cells: fc.uint8Array({ minLength: width * height, maxLength: width * height, max: regimes - 1 }),
      }),
    );

  it('the dimension lies in [0, 2]', () => {
    // N(2s) ≤ N(s) ≤ 4·N(2s) (each box of side 2s holds four of side s), so every
    // step of the log-log line has slope in [0, 2], and a least-squares slope over
    // evenly spaced log s is a weighted average of those steps.
    fc.assert(
      fc.property(maps, ({ width, height, cells }) => {
        const { dimension } = boundaryDimension(cells, width, height);
        return dimension === null || (dimension >= -1e-12 && dimension <= 2 + 1e-12);
      }),
    );
  });

  it('every change between 4-neighbours marks one of the two cells, and every marked cell has a different neighbour', () => {
    fc.assert(
      fc.property(maps, ({ width, height, cells }) => {
        const edges = edgeMap(cells, width, height);
        const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < width && y < height ? y * width + x : -1);
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const i = y * width + x;
            const around = [at(x - 1, y), at(x + 1, y), at(x, y - 1), at(x, y + 1)].filter((j) => j >= 0);
            const different = around.filter((j) => cells[j] !== cells[i]);
            if (edges[i] && different.length === 0) return false;
            if (different.some((j) => !edges[i] && !edges[j])) return false;
          }
        }
        return true;
      }),
    );
  });

  it('transposing the map transposes its edge map and keeps its box counts', () => {
    // Right and lower neighbours swap under transposition, and boxes anchored
    // at (0, 0) map onto boxes.
    fc.assert(
      fc.property(maps, ({ width, height, cells }) => {
        const turned = transpose(cells, width, height);
        expect(edgeMap(turned, height, width)).toEqual(transpose(edgeMap(cells, width, height), width, height));
        expect(boundaryDimension(turned, height, width)).toEqual(boundaryDimension(cells, width, height));
      }),
    );
  });

  it('renaming the regimes changes nothing', () => {
    fc.assert(
      fc.property(maps, fc.integer({ min: 1, max: 254 }), ({ width, height, cells }, shift) => {
        const renamed = cells.map((r) => (r + shift) % 255);
        expect(edgeMap(renamed, width, height)).toEqual(edgeMap(cells, width, height));
      }),
    );
  });
});

describe('counted as the map streams in', () => {
  it('gives what the whole map gives, whatever the pieces', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }),
        (width, height, kinds, seed, pieces) => {
          // Blobs of regimes: a few random discs over a background, so edges are curves rather than noise.
          let state = seed;
          const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
          const discs = Array.from({ length: 4 }, () => ({ x: random() * width, y: random() * height, r: random() * 20, k: Math.floor(random() * kinds) }));
          const regimes = grid(width, height, () => false);
          for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (const d of discs) if ((x - d.x) ** 2 + (y - d.y) ** 2 < d.r ** 2) regimes[y * width + x] = d.k;
          const counter = new BoundaryCounter(width, height);
          let start = 0;
          for (let p = 0; start < regimes.length; p++) {
            const n = pieces[p % pieces.length]!;
            counter.add(regimes.subarray(start, start + n));
            start += n;
          }
          expect(counter.finish()).toEqual(boundaryDimension(regimes, width, height));
        },
      ),
      { numRuns: 300, seed: 16 },
    );
  });

  it('refuses to fit a map that has not all come', () => {
    const counter = new BoundaryCounter(4, 4);
    counter.add(new Uint8Array(15));
    expect(() => counter.finish()).toThrow(/15 cells do not fill a 4 × 4 grid/);
  });
});
