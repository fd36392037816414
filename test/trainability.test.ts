/**
 * The trainability paper's edge map, its median-slope box-counting dimension
 * (porespy's boxcount), and its rank-equalised Spectral colouring. Expected
 * values are worked out by hand in the comments, are known dimensions, come
 * from a naive transcription of porespy's loops, or are numpy's output for the
 * same call, never numbers read back from the code under test.
 */
import { describe, expect, it } from 'vitest';
import { random } from './helpers/random';
import {
  gradient,
  median,
  medianSlopeDimension,
  porespySizes,
  scoreDimension,
  scoreEdges,
  ScoreEdgeCounter,
} from '../src/analysis/score-edges';
import { rankEqualise, scoreRgba, spectralColor } from '../src/output/score-colors';

/** A width × height grid in grid order (x fastest), 1 where `inside(x, y)`. */
function grid(width: number, height: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const cells = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) cells[y * width + x] = inside(x, y) ? 1 : 0;
  return cells;
}

/** porespy's loops, transcribed: for each d, boxes im[i:i+d, j:j+d] from (0, 0), any − all. */
function naiveCounts(mask: Uint8Array, width: number, height: number, sizes: readonly number[]): number[] {
  return sizes.map((d) => {
    let result = 0;
    for (let i = 0; i < height; i += d) {
      for (let j = 0; j < width; j += d) {
        let any = false;
        let all = true;
        for (let y = i; y < Math.min(i + d, height); y++) {
          for (let x = j; x < Math.min(j + d, width); x++) {
            if (mask[y * width + x]) any = true;
            else all = false;
          }
        }
        result += (any ? 1 : 0) - (all ? 1 : 0);
      }
    }
    return result;
  });
}

describe('scoreEdges', () => {
  it('marks the 2 × 2 blocks that hold both signs', () => {
    // 3 × 3 scores      edges (2 × 2), one per block (x…x+1, y…y+1):
    //  -1 -1 -1          (0,0): all −1 → 0   (1,0): −1 −1 −1 2 → 1
    //  -1 -1  2          (0,1): all −1 → 0   (1,1): −1 2 −1 −1 → 1
    //  -1 -1 -1
    const score = [-1, -1, -1, -1, -1, 2, -1, -1, -1];
    expect(Array.from(scoreEdges(score, 3, 3))).toEqual([0, 1, 0, 1]);
  });

  it('runs x fastest: a 4 × 2 map has a 3 × 1 edge row', () => {
    // Only the block over x = 2…3 holds the −1.
    expect(Array.from(scoreEdges([1, 1, 1, -1, 1, 1, 1, 1], 4, 2))).toEqual([0, 0, 1]);
    // Transposed, 2 × 4: the block over y = 2…3.
    expect(Array.from(scoreEdges([1, 1, 1, 1, 1, 1, -1, 1], 2, 4))).toEqual([0, 0, 1]);
  });

  it('a zero beside a positive is no edge (sign(max·min) = 0), beside a negative neither', () => {
    expect(Array.from(scoreEdges([0, 1, 0, 1], 2, 2))).toEqual([0]);
    expect(Array.from(scoreEdges([0, -1, 0, -1], 2, 2))).toEqual([0]);
    expect(Array.from(scoreEdges([0, 1, -1, 1], 2, 2))).toEqual([1]);
  });

  it('a block holding a NaN is no edge, as in numpy where its max and min are NaN', () => {
    expect(Array.from(scoreEdges([NaN, 1, -1, 1], 2, 2))).toEqual([0]);
    // 3 × 2: the left block has both signs, the right one a NaN.
    expect(Array.from(scoreEdges([-1, 1, NaN, -1, 1, 1], 3, 2))).toEqual([1, 0]);
  });

  it('rejects a grid whose size does not match its scores', () => {
    expect(() => scoreEdges(new Float64Array(5), 2, 3)).toThrow(RangeError);
    expect(() => scoreEdges(new Float64Array(5), 2, 3)).toThrow(/5 cells do not fill a 2 × 3 grid/);
  });
});

describe("porespy's box sizes", () => {
  it('are numpy.unique(numpy.logspace(1, log10(m), 10).astype(int))', () => {
    // numpy 2.4's output (x86-64) for these m.
    expect(porespySizes(512, 512)).toEqual([10, 15, 23, 37, 57, 89, 137, 213, 330, 512]);
    expect(porespySizes(600, 511)).toEqual([10, 15, 23, 37, 57, 88, 137, 213, 330, 511]);
    expect(porespySizes(100, 300)).toEqual([10, 12, 16, 21, 27, 35, 46, 59, 77, 100]);
    // The last size is 10^log10(m) with log10(m) as linspace's stop: 1780 stays, 1804 truncates to 1803.
    expect(porespySizes(1780, 1780)).toEqual([10, 17, 31, 56, 100, 177, 316, 562, 1000, 1780]);
    expect(porespySizes(1804, 1900)).toEqual([10, 17, 31, 56, 100, 179, 319, 568, 1012, 1803]);
    // Truncation repeats sizes on small grids: 10^(1 + k/9 · log10 1.2) for k = 0…9 truncate to 10, 11, 12.
    expect(porespySizes(12, 12)).toEqual([10, 11, 12]);
    expect(porespySizes(9, 100)).toEqual([]);
  });
});

describe('medianSlopeDimension: the box count', () => {
  it('counts boxes that span both phases, by hand on a 20 × 20 band', () => {
    // Marked: x < 7. d = 4: the boxes over x 4…7 are mixed, 5 box rows → 5.
    // d = 5: x 0…4 all marked (0), x 5…9 mixed, 4 rows → 4. d = 10: x 0…9 mixed, 2 rows → 2.
    const r = medianSlopeDimension(grid(20, 20, (x) => x < 7), 20, 20, { sizes: [4, 5, 10] });
    expect(r.counts).toEqual([5, 4, 2]);
    expect(r.cells).toBe(140);
    // N·D = 20 at every size, so log N is linear in log D with slope −1 and every local slope is 1.
    for (const s of r.slopes) expect(s).toBeCloseTo(1, 12);
    expect(r.dimension).toBeCloseTo(1, 12);
  });

  it('includes partial boxes at the far edges, and boxes all marked count for nothing', () => {
    // 23 × 23, marked x ≥ 20. d = 7: columns 0…6, 7…13, 14…20 (mixed: 20 marked), 21…22 (all marked),
    // 4 box rows → 4. d = 10: columns 0…9, 10…19 (empty), 20…22 (all marked) → 0.
    const r = medianSlopeDimension(grid(23, 23, (x) => x >= 20), 23, 23, { sizes: [7, 10] });
    expect(r.counts).toEqual([4, 0]);
    expect(r.dimension).toBeNull();
    expect(r.reason).toBe('a box size has no box spanning both phases');
    expect(r.slopes).toEqual([]);
  });

  it("equals porespy's loops on random masks of any size", () => {
    const next = random(7);
    for (let trial = 0; trial < 6; trial++) {
      const width = 10 + Math.floor(next() * 90);
      const height = 10 + Math.floor(next() * 90);
      const density = next();
      const mask = grid(width, height, () => next() < density * 0.3);
      const sizes = porespySizes(width, height);
      expect(medianSlopeDimension(mask, width, height).counts).toEqual(naiveCounts(mask, width, height, sizes));
      expect(medianSlopeDimension(mask, width, height, { sizes: [1, 3, 8] }).counts).toEqual(naiveCounts(mask, width, height, [1, 3, 8]));
    }
  });

  it('has no dimension on grids with fewer than 2 sizes or on an empty mask', () => {
    expect(medianSlopeDimension(new Uint8Array(81), 9, 9)).toMatchObject({ dimension: null, reason: 'grid too small', sizes: [] });
    // A 10-cell side gives ten sizes that all truncate to 10.
    expect(medianSlopeDimension(new Uint8Array(100), 10, 10)).toMatchObject({ dimension: null, reason: 'grid too small', sizes: [10] });
    expect(medianSlopeDimension(new Uint8Array(400), 20, 20)).toMatchObject({ dimension: null, reason: 'a box size has no box spanning both phases' });
  });

  it('rejects sizes that are not whole, positive and ascending', () => {
    const mask = new Uint8Array(400);
    expect(() => medianSlopeDimension(mask, 20, 20, { sizes: [5, 5] })).toThrow(RangeError);
    expect(() => medianSlopeDimension(mask, 20, 20, { sizes: [0, 5] })).toThrow(RangeError);
    expect(() => medianSlopeDimension(mask, 20, 20, { sizes: [2.5, 5] })).toThrow(RangeError);
    expect(() => medianSlopeDimension(mask, 20, 19)).toThrow(/400 cells do not fill a 20 × 19 grid/);
  });
});

describe('medianSlopeDimension: slopes and median', () => {
  it("numpy.gradient's uneven-spacing formula is exact for a quadratic inside, first differences at the ends", () => {
    // f = x² at x = 0, 1, 3. Inside, hs = 1, hd = 2:
    // (hs²·f[2] + (hd² − hs²)·f[1] − hd²·f[0]) / (hs·hd·(hd + hs)) = (9 + 3 − 0) / 6 = 2 = f'(1).
    // Ends: (1 − 0) / 1 = 1 and (9 − 1) / 2 = 4. (An even-spacing central difference would give 3.)
    const g = gradient([0, 1, 9], [0, 1, 3]);
    expect(g[0]).toBe(1);
    expect(g[1]).toBeCloseTo(2, 14);
    expect(g[2]).toBe(4);
    // Two points: both ends are the one difference.
    expect(gradient([1, 4], [0, 2])).toEqual([1.5, 1.5]);
  });

  it('numpy.median: the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5])).toBe(5);
  });

  it('an even number of sizes takes the mean of the middle two slopes, an odd number the middle one', () => {
    // 24 × 24, marked y = 0 (a row of 24 cells). Every box of the first box row is mixed, the rest are empty:
    // N(d) = ceil(24 / d): d = 2, 3, 8, 12 → 12, 8, 3, 2 = 24 / d, linear in log space, so every slope is 1.
    const row = medianSlopeDimension(grid(24, 24, (_, y) => y === 0), 24, 24, { sizes: [2, 3, 8, 12] });
    expect(row.counts).toEqual([12, 8, 3, 2]);
    row.slopes.forEach((s) => expect(s).toBeCloseTo(1, 12));
    expect(row.dimension).toBeCloseTo(1, 12);
    // 24 × 24, marked y = 0 and x = 0 (an L): the first box row and the first box column, 2·(24/d) − 1 boxes:
    // d = 2, 3, 8, 12 → 23, 15, 5, 3, no longer a power law, so the slopes differ.
    const sizes = [2, 3, 8, 12];
    const counts = [23, 15, 5, 3];
    const l = medianSlopeDimension(grid(24, 24, (x, y) => x === 0 || y === 0), 24, 24, { sizes });
    expect(l.counts).toEqual(counts);
    const slopes = numpySlopes(sizes, counts);
    l.slopes.forEach((s, i) => expect(s).toBeCloseTo(slopes[i]!, 12));
    const sorted = [...slopes].sort((a, b) => a - b);
    expect(l.dimension).toBeCloseTo((sorted[1]! + sorted[2]!) / 2, 12);
    // Three sizes: the middle slope.
    const odd = medianSlopeDimension(grid(24, 24, (x, y) => x === 0 || y === 0), 24, 24, { sizes: [2, 3, 8] });
    const oddSlopes = numpySlopes([2, 3, 8], [23, 15, 5]).sort((a, b) => a - b);
    expect(odd.dimension).toBeCloseTo(oddSlopes[1]!, 12);
  });
});

/** −numpy.gradient(log N, log D) by the formula numpy documents, written out independently of the code. */
function numpySlopes(sizes: number[], counts: number[]): number[] {
  const x = sizes.map(Math.log);
  const f = counts.map(Math.log);
  const n = x.length;
  return x.map((_, i) => {
    if (i === 0) return -(f[1]! - f[0]!) / (x[1]! - x[0]!);
    if (i === n - 1) return -(f[n - 1]! - f[n - 2]!) / (x[n - 1]! - x[n - 2]!);
    const hs = x[i]! - x[i - 1]!;
    const hd = x[i + 1]! - x[i]!;
    return -(hs * hs * f[i + 1]! + (hd * hd - hs * hs) * f[i]! - hd * hd * f[i - 1]!) / (hs * hd * (hd + hs));
  });
}

describe('medianSlopeDimension: known dimensions', () => {
  const N = 512;

  it('straight lines across a 512 × 512 mask have dimension 1 (±0.1)', () => {
    // A line across the grid meets ceil(512 / d) to 2·ceil(512 / d) boxes: N ∝ 1/D up to the partial boxes.
    for (const inside of [(_: number, y: number) => y === 200, (x: number, y: number) => x === y, (x: number, y: number) => y === Math.floor(x / 3) + 50]) {
      const r = medianSlopeDimension(grid(N, N, inside), N, N);
      expect(r.sizes).toHaveLength(10);
      expect(Math.abs(r.dimension! - 1)).toBeLessThan(0.1);
    }
  });

  it('the edges of independent random signs fill the plane: dimension 2 (±0.1)', () => {
    // 7/8 of the 2 × 2 blocks hold both signs, so nearly every box of 10 cells or more is mixed:
    // N ≈ (511 / D)², slope 2.
    const next = random(2024);
    const score = Float64Array.from({ length: N * N }, () => (next() < 0.5 ? -1 - next() : 1 + next()));
    const r = scoreDimension(score, N, N);
    expect(Math.abs(r.dimension! - 2)).toBeLessThan(0.1);
  });

  it('the Sierpinski carpet at 3^6: log 8 / log 3 ≈ 1.893 (±0.05)', () => {
    // Boxes spanning the carpet and its holes cover the holes' boundaries, whose closure is the carpet itself.
    // The local slopes swing by about ±0.3 as the log-spaced box sides fall in and out of step with the
    // powers of 3 (N jumps when a side passes 3^k); the median of ten damps that to a few hundredths.
    const n = 729;
    const inCarpet = (x: number, y: number): boolean => {
      for (; x > 0 || y > 0; x = Math.floor(x / 3), y = Math.floor(y / 3)) if (x % 3 === 1 && y % 3 === 1) return false;
      return true;
    };
    const mask = grid(n, n, inCarpet);
    const expected = Math.log(8) / Math.log(3);
    expect(Math.abs(medianSlopeDimension(mask, n, n).dimension! - expected)).toBeLessThan(0.05);
    // As a score map (trainable inside the carpet): its edge runs along the same hole boundaries.
    const score = Float64Array.from(mask, (v) => (v ? -1 : 1));
    expect(Math.abs(scoreDimension(score, n, n).dimension! - expected)).toBeLessThan(0.05);
  });
});

describe('ScoreEdgeCounter', () => {
  /** Scores with both smooth regions and noise, NaN and zeros, so edges come in every size of patch. */
  function scoreMap(width: number, height: number, next: () => number): Float64Array {
    const fx = 0.05 + next() * 0.3;
    const fy = 0.05 + next() * 0.3;
    return Float64Array.from({ length: width * height }, (_, i) => {
      const x = i % width;
      const y = Math.floor(i / width);
      const r = next();
      if (r < 0.01) return NaN;
      if (r < 0.03) return 0;
      return Math.sin(fx * x) * Math.cos(fy * y) + 0.4 * (next() - 0.5);
    });
  }

  it('fed in pieces of any length, gives exactly what scoreDimension gives', () => {
    const next = random(99);
    for (let trial = 0; trial < 12; trial++) {
      // Sides that are mostly not multiples of the box sizes, and some under 11 (no dimension).
      const width = 2 + Math.floor(next() * 140);
      const height = 2 + Math.floor(next() * 140);
      const score = scoreMap(width, height, next);
      const options = trial % 3 === 2 ? { sizes: [2, 4, 7, 30] } : {};
      const counter = new ScoreEdgeCounter(width, height, options);
      for (let i = 0; i < score.length; ) {
        const piece = Math.min(score.length - i, Math.floor(next() * 2.5 * width));
        counter.add(trial % 2 ? Array.from(score.subarray(i, i + piece)) : score.subarray(i, i + piece));
        i += piece;
      }
      const whole = scoreDimension(score, width, height, options);
      expect(counter.finish()).toEqual(whole);
      // And the whole-map function is the box count of the edge map.
      expect(whole.counts).toEqual(naiveCounts(scoreEdges(score, width, height), width - 1, height - 1, whole.sizes));
    }
  });

  it('refuses to finish before the map is complete, or to take more than the map', () => {
    const counter = new ScoreEdgeCounter(12, 12);
    counter.add(new Float64Array(100));
    expect(() => counter.finish()).toThrow(/100 scores do not fill a 12 × 12 grid/);
    expect(() => counter.add(new Float64Array(45))).toThrow(RangeError);
  });
});

describe('rankEqualise', () => {
  it('spreads the ranks of each sign over its side, and flips the sign', () => {
    // u = [−3, −1, 2, 5], v = linspace(−1, −0.25, 2) ++ linspace(0.25, 1, 2) = [−1, −0.25, 0.25, 1]; −v.
    expect(Array.from(rankEqualise([-3, -1, 2, 5]))).toEqual([1, 0.25, -0.25, -1]);
    expect(Array.from(rankEqualise([5, -3, 2, -1]))).toEqual([-1, 1, -0.25, 0.25]);
  });

  it('ties take the value at the last equal position; a lone score takes its side’s start; zero is positive', () => {
    // u = [−2, −2, −1, 1]: v = linspace(−1, −0.25, 3) = [−1, −0.625, −0.25], then linspace(0.25, 1, 1) = [0.25].
    // The two −2 take v[1] = −0.625.
    expect(Array.from(rankEqualise([-2, -1, -2, 1]))).toEqual([0.625, 0.25, 0.625, -0.25]);
    // No negatives: v = linspace(0.25, 1, 2) = [0.25, 1].
    expect(Array.from(rankEqualise([0, 1]))).toEqual([-0.25, -1]);
  });

  it('leaves NaN out of the ranking and NaN', () => {
    // Without the NaN: u = [−1, 1], v = [−1] ++ [0.25].
    const r = rankEqualise([NaN, -1, 1]);
    expect(r[0]).toBeNaN();
    expect([r[1], r[2]]).toEqual([1, -0.25]);
    expect(rankEqualise([])).toHaveLength(0);
  });

  it('is monotone (higher score, lower value) and keeps the sign apart on random scores', () => {
    const next = random(5);
    const score = Float64Array.from({ length: 5000 }, () => (next() - 0.4) * 10 ** (4 * next() - 2));
    const y = rankEqualise(score);
    const order = Array.from(score.keys()).sort((a, b) => score[a]! - score[b]!);
    for (let k = 1; k < order.length; k++) expect(y[order[k]!]!).toBeLessThan(y[order[k - 1]!]!);
    for (let i = 0; i < score.length; i++) {
      if (score[i]! < 0) expect(y[i]!).toBeGreaterThanOrEqual(0.25);
      else expect(y[i]!).toBeLessThanOrEqual(-0.25);
    }
    // The extremes reach the ends.
    expect(Math.max(...y)).toBe(1);
    expect(Math.min(...y)).toBe(-1);
  });
});

describe('spectralColor', () => {
  it('−1, 0 and 1 are the first, middle and last ColorBrewer colours', () => {
    expect(spectralColor(-1)).toEqual([0x9e, 0x01, 0x42]);
    expect(spectralColor(0)).toEqual([0xff, 0xff, 0xbf]);
    expect(spectralColor(1)).toEqual([0x5e, 0x4f, 0xa2]);
    // Outside [−1, 1] it clamps.
    expect(spectralColor(-3)).toEqual([0x9e, 0x01, 0x42]);
    expect(spectralColor(2)).toEqual([0x5e, 0x4f, 0xa2]);
  });

  it('midway between two anchors is their average, rounded half up', () => {
    // t = −0.5 is position 0.25, midway between anchors 2 and 3: #f46d43 (244, 109, 67) and #fdae61 (253, 174, 97).
    expect(spectralColor(-0.5)).toEqual([249, 142, 82]);
    // t = 0.5 is position 0.75, between anchors 7 and 8: #abdda4 (171, 221, 164) and #66c2a5 (102, 194, 165).
    expect(spectralColor(0.5)).toEqual([137, 208, 165]);
    // t = −0.6 is anchor 2 itself.
    expect(spectralColor(-0.6)).toEqual([0xf4, 0x6d, 0x43]);
  });
});

describe('scoreRgba', () => {
  it('colours each cell by its equalised score, NaN grey, alpha 255', () => {
    // rankEqualise: negatives −3, −1 → v −1, −0.25; positives 2, 5 → 0.25, 1; flipped: 1, −1, NaN, 0.25, −0.25.
    // 0.25 → position 6.25: anchors 6 #e6f598 (230, 245, 152), 7 #abdda4 (171, 221, 164), a quarter of the way:
    //   230 − 59/4 = 215.25, 245 − 6 = 239, 152 + 3 = 155.
    // −0.25 → position 3.75: anchors 3 #fdae61 (253, 174, 97), 4 #fee08b (254, 224, 139), three quarters:
    //   253.75, 174 + 37.5 = 211.5, 97 + 31.5 = 128.5 → 254, 212, 129.
    const out = new Uint8ClampedArray(20);
    scoreRgba([-3, 5, NaN, -1, 2], out);
    expect(Array.from(out)).toEqual([
      0x5e, 0x4f, 0xa2, 255, 0x9e, 0x01, 0x42, 255, 0x80, 0x80, 0x80, 255, 215, 239, 155, 255, 254, 212, 129, 255,
    ]);
  });

  it('rejects an output that is not 4 bytes a cell', () => {
    expect(() => scoreRgba([1, 2], new Uint8ClampedArray(7))).toThrow(RangeError);
  });
});
