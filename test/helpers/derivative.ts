/** ∂fn/∂w_d by a central difference of step h, in double precision. */
export function centralDifference(fn: (w: number[]) => number, w: readonly number[], d: number, h: number): number {
  const plus = [...w];
  const minus = [...w];
  plus[d]! += h;
  minus[d]! -= h;
  return (fn(plus) - fn(minus)) / (2 * h);
}
