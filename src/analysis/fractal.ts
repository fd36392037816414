/**
 * How rough a map's regime boundary is: its box-counting (Minkowski–Bouligand)
 * dimension. A smooth boundary such as lr·L = 2 scores about 1; the boundary of
 * trainability of small networks is fractal and scores more (Sohl-Dickstein,
 * "The boundary of neural network trainability is fractal", 2024).
 *
 * Grids are in the engine's grid order: x (the first axis) fastest, so the cell
 * at (x, y) is at index y·width + x. Pure arithmetic on typed arrays, no GPU.
 */

/** Why a box-counting fit has no dimension. */
export type BoxCountingFailure = 'too few boundary cells' | 'grid too small';

/** A box-counting fit: the dimension, and the counts it was fitted to. */
export interface BoxCounting {
  /** Slope of log N(s) against log(1/s); null when the fit would be meaningless (see `reason`). */
  readonly dimension: number | null;
  /** Coefficient of determination of that fit; null with the dimension, or when every count is equal. */
  readonly r2: number | null;
  /** Box sides s = 1, 2, 4, … in cells, the sizes the fit used. */
  readonly sizes: number[];
  /** N(s): boxes of side s holding at least one marked cell. */
  readonly counts: number[];
  /** Marked cells (N(1)). */
  readonly cells: number;
  /** Present exactly when `dimension` is null. */
  readonly reason?: BoxCountingFailure;
}

/** At least this many box sizes are needed for a slope that is not just a line through two points. */
const MIN_SIZES = 3;

function checkGrid(array: Uint8Array, width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`${what}: width and height must be whole numbers ≥ 0, not ${width} × ${height}`);
  }
  if (array.length !== width * height) {
    throw new RangeError(`${what}: ${array.length} cells do not fill a ${width} × ${height} grid`);
  }
}

/**
 * The cells on a regime boundary: 1 where a cell's regime differs from that of
 * its neighbour at x + 1 (the next cell along the first axis) or at y + 1 (the
 * next row), 0 elsewhere. Each change between two 4-neighbours marks exactly one
 * cell, the one with the smaller index, so a boundary comes out one cell thick
 * rather than two, and the last column and row compare only along the other axis.
 * The rule is symmetric in x and y: transposing the regimes transposes the edge map.
 */
export function edgeMap(regimes: Uint8Array, width: number, height: number): Uint8Array {
  checkGrid(regimes, width, height, 'edgeMap');
  const edges = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const r = regimes[i];
      if ((x + 1 < width && regimes[i + 1] !== r) || (y + 1 < height && regimes[i + width] !== r)) edges[i] = 1;
    }
  }
  return edges;
}

/** The box sides the fit uses: powers of two up to a quarter of the smaller side. */
function boxSizes(width: number, height: number): number[] {
  const sizes: number[] = [];
  for (let s = 1; 4 * s <= Math.min(width, height); s *= 2) sizes.push(s);
  return sizes;
}

/**
 * The box-counting dimension of the marked (non-zero) cells of a mask.
 *
 * Boxes of side s = 1, 2, 4, … cells tile the grid from (0, 0); those that
 * overhang the last column or row count as partial boxes. N(s) is the number of
 * boxes that hold at least one marked cell, and the dimension is the
 * least-squares slope of log N(s) against log(1/s), with `r2` saying how
 * straight that line is.
 *
 * Fit range: every power of two from 1 up to a quarter of the smaller side, so
 * even the largest boxes tile the grid at least 4 × 4. Larger boxes are left
 * out because there the count measures the grid rather than the set: with only
 * a few boxes a side, nearly all of them touch any boundary that crosses the map,
 * partial boxes at the far edges weigh as much as whole ones, and N(s)
 * saturates at the total number of boxes, which bends the fit towards the
 * dimension of the grid. The smallest box, one cell, stays in: the grid is the
 * resolution the regimes were computed at, and no finer detail exists.
 *
 * The dimension is null when the smaller side is under 16 cells, which leaves
 * fewer than 3 sizes ('grid too small'), or when the mask has no marked cell
 * ('too few boundary cells', e.g. a map in a single regime). A single marked
 * cell is a point, dimension 0.
 */
export function boxCountingDimension(mask: Uint8Array, width: number, height: number): BoxCounting {
  checkGrid(mask, width, height, 'boxCountingDimension');
  const sizes = boxSizes(width, height);
  const counts: number[] = [];
  // Occupancy at the current box size, coarsened by 2 × 2 each time: box (X, Y)
  // of side 2s holds boxes (2X…2X+1, 2Y…2Y+1) of side s, so every size costs
  // a pass over a grid a quarter the size of the last, O(cells) in all.
  let grid = Uint8Array.from(mask, (v) => (v ? 1 : 0));
  let w = width;
  let h = height;
  for (let level = 0; level < sizes.length; level++) {
    if (level > 0) {
      const nw = Math.ceil(w / 2);
      const nh = Math.ceil(h / 2);
      const next = new Uint8Array(nw * nh);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) if (grid[y * w + x]) next[(y >> 1) * nw + (x >> 1)] = 1;
      }
      grid = next;
      w = nw;
      h = nh;
    }
    let n = 0;
    for (let i = 0; i < grid.length; i++) n += grid[i]!;
    counts.push(n);
  }
  return fitCounts(sizes, counts, counts[0] ?? mask.reduce((n, v) => n + (v ? 1 : 0), 0));
}

/** The fit of N(s) against s, or why there is none. */
function fitCounts(sizes: number[], counts: number[], cells: number): BoxCounting {
  if (sizes.length < MIN_SIZES) return { dimension: null, r2: null, sizes, counts, cells, reason: 'grid too small' };
  if (cells === 0) return { dimension: null, r2: null, sizes, counts, cells, reason: 'too few boundary cells' };
  return { ...fitLogLog(sizes, counts), sizes, counts, cells };
}

/** Least squares of log N against log(1/s): slope and r². */
function fitLogLog(sizes: readonly number[], counts: readonly number[]): { dimension: number; r2: number | null } {
  const xs = sizes.map((s) => -Math.log(s));
  const ys = counts.map((n) => Math.log(n));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const dimension = sxy / sxx;
  // A single occupied box at every size (one point) fits exactly with slope 0,
  // but r² = 1 − 0/0 says nothing, so it is left null.
  const r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : null;
  return { dimension, r2 };
}

/** The box-counting dimension of a map's regime boundary: `boxCountingDimension(edgeMap(…))`. */
export function boundaryDimension(regimes: Uint8Array, width: number, height: number): BoxCounting {
  return boxCountingDimension(edgeMap(regimes, width, height), width, height);
}

/** Whether a word's first byte is its lowest (every platform Node and browsers run on; markRow checks). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * `boundaryDimension` for a map that streams in, in grid order, in pieces of
 * any length: it keeps two rows of regimes and one row of boxes per box size,
 * never the map, so its memory grows with the width alone. Fed the whole map,
 * it gives exactly what `boundaryDimension` gives.
 */
export class BoundaryCounter {
  private readonly sizes: number[];
  private readonly counts: number[];
  /** Per box size: which boxes of the current box row hold a boundary cell. */
  private readonly occupied: Uint8Array[];
  private previous: Uint8Array;
  private current: Uint8Array;
  /** Cells of the current row received so far, and rows complete. */
  private filled = 0;
  private rows = 0;
  /** The last complete row is held back until the next one shows which of its cells are on the boundary. */
  private pending = false;
  /** Boundary cells marked so far. */
  private cells = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new RangeError(`BoundaryCounter: width and height must be whole numbers ≥ 0, not ${width} × ${height}`);
    }
    this.sizes = boxSizes(width, height);
    this.counts = this.sizes.map(() => 0);
    this.occupied = this.sizes.map((s) => new Uint8Array(Math.ceil(width / s)));
    this.previous = new Uint8Array(width);
    this.current = new Uint8Array(width);
  }

  /** The next regimes in grid order. */
  add(regimes: ArrayLike<number>): void {
    for (let i = 0; i < regimes.length; ) {
      const n = Math.min(regimes.length - i, this.width - this.filled);
      if (regimes instanceof Uint8Array) this.current.set(regimes.subarray(i, i + n), this.filled);
      else for (let k = 0; k < n; k++) this.current[this.filled + k] = regimes[i + k]!;
      this.filled += n;
      i += n;
      if (this.filled === this.width) this.completeRow();
    }
  }

  private completeRow(): void {
    // The row before this one now has both of its neighbours.
    if (this.pending) this.markRow(this.rows - 1, this.previous, this.current);
    [this.previous, this.current] = [this.current, this.previous];
    this.filled = 0;
    this.rows++;
    this.pending = true;
  }

  /**
   * Marks the boundary cells of row y (compared along x, and with the next row when there is one).
   * Most of a map is inside a region: four cells at a time, a word equal to its neighbours shifted
   * one cell along and to the word below holds no boundary cell and is passed over.
   */
  private markRow(y: number, row: Uint8Array, next: Uint8Array | undefined): void {
    const { width, occupied } = this;
    const levels = occupied.length;
    // Words whose fourth cell has a right-hand neighbour; the cells after them go one by one.
    const words = LITTLE_ENDIAN ? (width - 1) >> 2 : 0;
    // The rows are arrays of their own (offset 0), so their words are aligned.
    const row32 = new Uint32Array(row.buffer, 0, words);
    const next32 = next && new Uint32Array(next.buffer, 0, words);
    let x = 0;
    for (let k = 0; k < words; k++, x += 4) {
      const w = row32[k]!;
      const along = (w >>> 8) | (row[x + 4]! << 24);
      if (((w ^ along) | (next32 ? w ^ next32[k]! : 0)) === 0) continue;
      for (let c = x; c < x + 4; c++) this.markCell(c, row, next, levels);
    }
    for (; x < width; x++) this.markCell(x, row, next, levels);
    // A box row ends with its last cell row (or the map's): count its boxes.
    for (let l = 0; l < levels; l++) {
      if ((y + 1) % this.sizes[l]! !== 0 && y + 1 !== this.height) continue;
      const boxes = occupied[l]!;
      let n = 0;
      for (let X = 0; X < boxes.length; X++) n += boxes[X]!;
      this.counts[l]! += n;
      boxes.fill(0);
    }
  }

  private markCell(x: number, row: Uint8Array, next: Uint8Array | undefined, levels: number): void {
    const r = row[x];
    if ((x + 1 < this.width && row[x + 1] !== r) || (next && next[x] !== r)) {
      this.cells++;
      for (let l = 0; l < levels; l++) this.occupied[l]![x >> l] = 1;
    }
  }

  /** The fit, once every cell has come. */
  finish(): BoxCounting {
    if (this.rows !== this.height || this.filled !== 0) {
      throw new RangeError(`BoundaryCounter: ${this.rows * this.width + this.filled} cells do not fill a ${this.width} × ${this.height} grid`);
    }
    if (this.pending && this.height > 0) {
      this.markRow(this.height - 1, this.previous, undefined);
      this.pending = false;
    }
    return fitCounts([...this.sizes], [...this.counts], this.cells);
  }
}
