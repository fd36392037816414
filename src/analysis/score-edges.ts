/**
 * The measurements of Sohl-Dickstein, "The boundary of neural network
 * trainability is fractal" (2024), on lrscope's per-trajectory score: negative
 * when a run trains (−Σ loss), positive when it does not (Σ 1/loss). The edge
 * map marks where the score changes sign; its dimension is porespy's box count
 * summarised by the median of the local slopes, as the paper reports it.
 *
 * Grids are in the engine's grid order: x (the first axis) fastest, so the cell
 * at (x, y) is at index y·width + x. Pure arithmetic on typed arrays, no GPU.
 */

/** Why a median-slope fit has no dimension. */
export type BoxCountSlopesFailure = 'grid too small' | 'a box size has no box spanning both phases';

/** porespy's box count of a mask and the local slopes of log N against log D. */
export interface BoxCountSlopes {
  /** Median of `slopes`; null when they would be meaningless (see `reason`). */
  readonly dimension: number | null;
  /** Box sides D in cells, ascending. */
  readonly sizes: number[];
  /** N(D): boxes of side D holding both marked and unmarked cells. */
  readonly counts: number[];
  /** −d log N / d log D at each size (numpy.gradient); empty when `dimension` is null. */
  readonly slopes: number[];
  /** Marked cells. */
  readonly cells: number;
  /** Present exactly when `dimension` is null. */
  readonly reason?: BoxCountSlopesFailure;
}

/** Choices porespy's `boxcount` takes as arguments. */
export interface BoxCountOptions {
  /** Box sides in cells, whole and strictly ascending (porespy's `bins` given as a list); default porespy's 10 log-spaced sizes. */
  readonly sizes?: readonly number[];
}

function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`${what}: width and height must be whole numbers ≥ 0, not ${width} × ${height}`);
  }
}

function checkGrid(array: ArrayLike<number>, width: number, height: number, what: string): void {
  checkSize(width, height, what);
  if (array.length !== width * height) {
    throw new RangeError(`${what}: ${array.length} cells do not fill a ${width} × ${height} grid`);
  }
}

// Sign classes, OR-ed over a 2 × 2 block: both signs and no NaN make an edge.
const NEGATIVE = 1;
const POSITIVE = 2;
const UNDEFINED = 4;

function signClass(score: number): number {
  return score < 0 ? NEGATIVE : score > 0 ? POSITIVE : score === 0 ? 0 : UNDEFINED;
}

function isEdge(block: number): boolean {
  return block === (NEGATIVE | POSITIVE);
}

/**
 * The paper's edge map: (width − 1) × (height − 1) cells, x fastest, where cell
 * (x, y) is 1 iff the 2 × 2 block of scores (x…x+1, y…y+1) holds both a
 * strictly negative and a strictly positive score (the paper's
 * sign(max·min) < 0, so a zero beside a positive is no edge).
 *
 * A block holding a NaN score is no edge, as in the paper's numpy code, where
 * max and min of such a block are NaN. (Unlike that code, two scores so small
 * that max·min underflows to −0 still make an edge.)
 */
export function scoreEdges(score: ArrayLike<number>, width: number, height: number): Uint8Array {
  checkGrid(score, width, height, 'scoreEdges');
  const ew = Math.max(0, width - 1);
  const eh = Math.max(0, height - 1);
  const edges = new Uint8Array(ew * eh);
  let above = new Uint8Array(width);
  let below = new Uint8Array(width);
  for (let x = 0; x < width; x++) above[x] = signClass(score[x]!);
  for (let y = 0; y < eh; y++) {
    const next = (y + 1) * width;
    for (let x = 0; x < width; x++) below[x] = signClass(score[next + x]!);
    edgeRow(above, below, edges.subarray(y * ew, (y + 1) * ew));
    [above, below] = [below, above];
  }
  return edges;
}

/** One row of the edge map, from the sign classes of the two score rows it lies between. */
function edgeRow(above: Uint8Array, below: Uint8Array, out: Uint8Array): void {
  for (let x = 0; x < out.length; x++) {
    out[x] = isEdge(above[x]! | above[x + 1]! | below[x]! | below[x + 1]!) ? 1 : 0;
  }
}

/**
 * porespy's default box sides: `unique(int(logspace(1, log10(min side), 10)))`,
 * computed in the same float64 steps as numpy's linspace (i·step + start, the
 * last point set to the stop), so the largest size, 10^log10(m), often truncates
 * to m − 1 as it does in numpy. numpy's own log10 and power are not correctly
 * rounded (and vary with the CPU), so that last size can still differ by one
 * from a given numpy install: on one, for 5 % of the sides m from 10 to 5000
 * (of the powers of two and their predecessors up to 4096, only m = 2047).
 * Empty when the smaller side is under 10 cells.
 */
export function porespySizes(width: number, height: number): number[] {
  const side = Math.min(width, height);
  if (side < 10) return [];
  const bins = 10;
  const start = 1;
  const stop = Math.log10(side);
  const step = (stop - start) / (bins - 1);
  const sizes: number[] = [];
  for (let i = 0; i < bins; i++) {
    const exponent = i === bins - 1 ? stop : i * step + start;
    const size = Math.trunc(10 ** exponent);
    if (sizes[sizes.length - 1] !== size) sizes.push(size);
  }
  return sizes;
}

function checkSizes(sizes: readonly number[], what: string): void {
  for (let i = 0; i < sizes.length; i++) {
    const s = sizes[i]!;
    if (!Number.isInteger(s) || s < 1 || (i > 0 && s <= sizes[i - 1]!)) {
      throw new RangeError(`${what}: box sizes must be whole numbers ≥ 1 in strictly ascending order, not [${sizes.join(', ')}]`);
    }
  }
}

/**
 * Counts, for every box size, the boxes that span both phases, from mask rows
 * given top to bottom; memory grows with the width alone. Shared by the whole-map
 * function and the streaming counter so the two cannot drift apart.
 */
class BoxRows {
  /** Per size: does each box of the current box row hold a marked / only marked cells. */
  private readonly any: Uint8Array[];
  private readonly all: Uint8Array[];
  private readonly counts: number[];
  /** Marked cells in row[0…x), for the marked count of any run of cells in one step. */
  private readonly prefix: Int32Array;
  private rows = 0;
  private cells = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly sizes: readonly number[],
  ) {
    this.any = sizes.map((d) => new Uint8Array(Math.ceil(width / d)));
    this.all = sizes.map((d) => new Uint8Array(Math.ceil(width / d)).fill(1));
    this.counts = sizes.map(() => 0);
    this.prefix = new Int32Array(width + 1);
  }

  addRow(row: Uint8Array): void {
    const { width, prefix, sizes } = this;
    for (let x = 0; x < width; x++) prefix[x + 1] = prefix[x]! + (row[x] ? 1 : 0);
    this.cells += prefix[width]!;
    const y = this.rows++;
    for (let l = 0; l < sizes.length; l++) {
      const d = sizes[l]!;
      const any = this.any[l]!;
      const all = this.all[l]!;
      for (let X = 0, x0 = 0; X < any.length; X++, x0 += d) {
        const x1 = Math.min(x0 + d, width);
        const marked = prefix[x1]! - prefix[x0]!;
        if (marked > 0) any[X] = 1;
        if (marked < x1 - x0) all[X] = 0;
      }
      // A box row ends with its last cell row (or the grid's, for partial boxes).
      if ((y + 1) % d !== 0 && y + 1 !== this.height) continue;
      let n = 0;
      for (let X = 0; X < any.length; X++) n += any[X]! - all[X]!;
      this.counts[l]! += n;
      any.fill(0);
      all.fill(1);
    }
  }

  finish(): BoxCountSlopes {
    return medianSlopes([...this.sizes], [...this.counts], this.cells);
  }
}

/** −numpy.gradient(log N, log D) (edge_order 1), and its median. */
function medianSlopes(sizes: number[], counts: number[], cells: number): BoxCountSlopes {
  if (sizes.length < 2) return { dimension: null, sizes, counts, slopes: [], cells, reason: 'grid too small' };
  if (counts.some((n) => n === 0)) {
    return { dimension: null, sizes, counts, slopes: [], cells, reason: 'a box size has no box spanning both phases' };
  }
  const slopes = gradient(
    counts.map((n) => Math.log(n)),
    sizes.map((d) => Math.log(d)),
  ).map((g) => -g);
  return { dimension: median(slopes), sizes, counts, slopes, cells };
}

/**
 * numpy.gradient(f, x) with edge_order 1: one-sided first differences at the
 * ends, and inside the second-order formula for uneven spacing, written with
 * numpy's coefficients a, b, c so it rounds as numpy does. Needs two points or more.
 */
export function gradient(f: readonly number[], x: readonly number[]): number[] {
  const n = f.length;
  if (n < 2 || x.length !== n) throw new RangeError(`gradient: needs two or more values and as many coordinates, not ${n} and ${x.length}`);
  const out = new Array<number>(n);
  out[0] = (f[1]! - f[0]!) / (x[1]! - x[0]!);
  out[n - 1] = (f[n - 1]! - f[n - 2]!) / (x[n - 1]! - x[n - 2]!);
  for (let i = 1; i < n - 1; i++) {
    const hs = x[i]! - x[i - 1]!;
    const hd = x[i + 1]! - x[i]!;
    const a = -hd / (hs * (hs + hd));
    const b = (hd - hs) / (hs * hd);
    const c = hs / (hd * (hs + hd));
    out[i] = a * f[i - 1]! + b * f[i]! + c * f[i + 1]!;
  }
  return out;
}

/** numpy.median: the middle value, or the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The dimension of a mask's phase boundary as the trainability paper measures
 * it: porespy's `ps.metrics.boxcount(mask)` with its defaults, then the median
 * of the local slopes it returns.
 *
 * porespy tiles the grid from (0, 0) with D × D boxes, partial boxes at the far
 * edges included, for D in `porespySizes` (10 sizes log-spaced from 10 cells to
 * the smaller side, truncated, duplicates dropped). N(D) counts the boxes that
 * hold a marked cell minus those whose cells are all marked: the boxes that span
 * both phases. The local slope is −d log N / d log D by numpy.gradient, and the
 * dimension is their median, which a few sizes where the count saturates or
 * aliases with the pattern do not move.
 *
 * The dimension is null when there are fewer than 2 sizes ('grid too small':
 * the smaller side is under 11 cells) or when some size has N = 0, whose log
 * is −∞ (e.g. a mask with no marked cell).
 */
export function medianSlopeDimension(mask: Uint8Array, width: number, height: number, options: BoxCountOptions = {}): BoxCountSlopes {
  checkGrid(mask, width, height, 'medianSlopeDimension');
  const sizes = options.sizes ? [...options.sizes] : porespySizes(width, height);
  checkSizes(sizes, 'medianSlopeDimension');
  const rows = new BoxRows(width, height, sizes);
  for (let y = 0; y < height; y++) rows.addRow(mask.subarray(y * width, (y + 1) * width));
  return rows.finish();
}

/** The dimension of a score map's edge: `medianSlopeDimension(scoreEdges(…), width − 1, height − 1)`. */
export function scoreDimension(score: ArrayLike<number>, width: number, height: number, options: BoxCountOptions = {}): BoxCountSlopes {
  return medianSlopeDimension(scoreEdges(score, width, height), Math.max(0, width - 1), Math.max(0, height - 1), options);
}

/**
 * `scoreDimension` for scores that stream in, in grid order, in pieces of any
 * length: it keeps the sign classes of one row of scores, one row of edges and,
 * per box size, one row of box flags, never the map, so its memory grows with
 * the width alone. Fed the whole map, it gives exactly what `scoreDimension` gives.
 */
export class ScoreEdgeCounter {
  private readonly boxes: BoxRows;
  private previous: Uint8Array;
  private current: Uint8Array;
  private readonly edges: Uint8Array;
  /** Scores of the current row received so far, and rows complete. */
  private filled = 0;
  private rows = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    options: BoxCountOptions = {},
  ) {
    checkSize(width, height, 'ScoreEdgeCounter');
    const ew = Math.max(0, width - 1);
    const eh = Math.max(0, height - 1);
    const sizes = options.sizes ? [...options.sizes] : porespySizes(ew, eh);
    checkSizes(sizes, 'ScoreEdgeCounter');
    this.boxes = new BoxRows(ew, eh, sizes);
    this.previous = new Uint8Array(width);
    this.current = new Uint8Array(width);
    this.edges = new Uint8Array(ew);
    // Rows of no scores are complete before anything comes.
    if (width === 0) this.rows = height;
  }

  /** The next scores in grid order. */
  add(scores: ArrayLike<number>): void {
    if (this.rows * this.width + this.filled + scores.length > this.width * this.height) {
      throw new RangeError(`ScoreEdgeCounter: more than the ${this.width} × ${this.height} grid's ${this.width * this.height} scores`);
    }
    for (let i = 0; i < scores.length; ) {
      const n = Math.min(scores.length - i, this.width - this.filled);
      for (let k = 0; k < n; k++) this.current[this.filled + k] = signClass(scores[i + k]!);
      this.filled += n;
      i += n;
      if (this.filled === this.width) this.completeRow();
    }
  }

  private completeRow(): void {
    // Every row after the first closes the row of edges between it and the one before.
    if (this.rows > 0) {
      edgeRow(this.previous, this.current, this.edges);
      this.boxes.addRow(this.edges);
    }
    [this.previous, this.current] = [this.current, this.previous];
    this.filled = 0;
    this.rows++;
  }

  /** The box count and its median slope, once every score has come. */
  finish(): BoxCountSlopes {
    if (this.rows !== this.height || this.filled !== 0) {
      throw new RangeError(`ScoreEdgeCounter: ${this.rows * this.width + this.filled} scores do not fill a ${this.width} × ${this.height} grid`);
    }
    return this.boxes.finish();
  }
}
