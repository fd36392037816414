/**
 * The trainability paper's colouring of a score map (Sohl-Dickstein, "The
 * boundary of neural network trainability is fractal", 2024): scores are
 * rank-equalised onto [−1, 1] with the sign kept apart (its `cdf_img`, buffer
 * 0.25), then drawn with matplotlib's diverging 'Spectral' colormap, so fine
 * structure shows at every scale and the two phases never share a colour.
 * Pure arithmetic, shared by the web page and the PNG writer.
 */

/** The gap either side of 0 that `rankEqualise` leaves between the two phases. */
const BUFFER = 0.25;

/**
 * Each score's rank, spread evenly over [0.25, 1] for negative scores (runs
 * that train) and over [−1, −0.25] for the others, in float32: the paper's
 * `−cdf_img(score)`.
 *
 * `cdf_img` sorts the scores into u, pairs the n⁻ negative ones with
 * linspace(−1, −0.25, n⁻) and the rest, zeros included, with
 * linspace(0.25, 1, n⁺) into v, and returns −interp(score, u, v). Every score is
 * one of the u, so interp lands on a sample point: for a score that appears
 * several times, numpy's interp takes the v at the last equal position (its
 * binary search finds u[j] ≤ x < u[j+1]), and so does this. Higher scores give
 * lower values; a lone score on its side takes that side's inner end
 * (linspace of one point is its start). NaN scores are left out of the ranking
 * and stay NaN. One sort, then a binary search per score: O(n log n).
 */
export function rankEqualise(score: ArrayLike<number>): Float32Array {
  const n = score.length;
  const sorted = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const s = score[i]!;
    if (!Number.isNaN(s)) sorted[m++] = s;
  }
  const u = sorted.subarray(0, m).sort();
  const negatives = countBelow(u, 0);
  const positives = m - negatives;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = score[i]!;
    if (Number.isNaN(s)) {
      out[i] = NaN;
      continue;
    }
    const j = countUpTo(u, s) - 1;
    out[i] = -(j < negatives ? linspace(-1, -BUFFER, negatives, j) : linspace(BUFFER, 1, positives, j - negatives));
  }
  return out;
}

/** How many elements of an ascending array are < x. */
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many elements of an ascending array are ≤ x. */
function countUpTo(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Point k of numpy.linspace(start, stop, n): start + k·step, the last point exactly stop, one point just start. */
function linspace(start: number, stop: number, n: number, k: number): number {
  if (n === 1) return start;
  if (k === n - 1) return stop;
  return k * ((stop - start) / (n - 1)) + start;
}

/** The 11 ColorBrewer Spectral colours that matplotlib's 'Spectral' spaces evenly over [0, 1], red end first. */
export const SPECTRAL: readonly (readonly [number, number, number])[] = [
  [0x9e, 0x01, 0x42],
  [0xd5, 0x3e, 0x4f],
  [0xf4, 0x6d, 0x43],
  [0xfd, 0xae, 0x61],
  [0xfe, 0xe0, 0x8b],
  [0xff, 0xff, 0xbf],
  [0xe6, 0xf5, 0x98],
  [0xab, 0xdd, 0xa4],
  [0x66, 0xc2, 0xa5],
  [0x32, 0x88, 0xbd],
  [0x5e, 0x4f, 0xa2],
];

/** Cells whose score is NaN: a grey that belongs to neither end of the colormap. */
export const NAN_COLOR: readonly [number, number, number] = [0x80, 0x80, 0x80];

/** Writes the colour of t into out[at…at+2]. */
function writeSpectral(t: number, out: Uint8ClampedArray | number[], at: number): void {
  // t ∈ [−1, 1] is the colormap's (t + 1) / 2; the 10 segments between anchors are 1/10 wide each.
  const s = Math.min(Math.max((t + 1) * 5, 0), SPECTRAL.length - 1);
  const k = Math.min(Math.floor(s), SPECTRAL.length - 2);
  const f = s - k;
  const a = SPECTRAL[k]!;
  const b = SPECTRAL[k + 1]!;
  for (let c = 0; c < 3; c++) out[at + c] = Math.round(a[c]! + (b[c]! - a[c]!) * f);
}

/**
 * matplotlib's 'Spectral' at t ∈ [−1, 1] (vmin −1, vmax 1; clamped outside),
 * as sRGB bytes: linear between the ColorBrewer anchors, rounded. −1 is the red
 * end (runs that do not train, after `rankEqualise`), 1 the blue end. matplotlib
 * itself samples the ramp into a 256-entry table first, which moves a colour by
 * at most a step of that table.
 */
export function spectralColor(t: number): [number, number, number] {
  const rgb = [0, 0, 0];
  writeSpectral(t, rgb, 0);
  return rgb as [number, number, number];
}

/**
 * RGBA pixels of a score map in cell order (alpha 255): `spectralColor` of each
 * cell's `rankEqualise`d score, and `NAN_COLOR` grey where the score is NaN.
 */
export function scoreRgba(score: ArrayLike<number>, out: Uint8ClampedArray): void {
  if (out.length !== 4 * score.length) {
    throw new RangeError(`scoreRgba: ${out.length} bytes are not 4 per cell for ${score.length} cells`);
  }
  const t = rankEqualise(score);
  for (let i = 0; i < t.length; i++) {
    const v = t[i]!;
    if (Number.isNaN(v)) {
      out[4 * i] = NAN_COLOR[0];
      out[4 * i + 1] = NAN_COLOR[1];
      out[4 * i + 2] = NAN_COLOR[2];
    } else writeSpectral(v, out, 4 * i);
    out[4 * i + 3] = 255;
  }
}
