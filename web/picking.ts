/** Picking on the map: the neighbour across the nearest regime boundary. */

/**
 * The nearest grid point whose regime differs from the one at `coords`,
 * searched ring by ring (by distance in grid steps); undefined in a map of one regime.
 * `regimes` holds the map's regimes in grid order, x fastest.
 */
export function nearestOtherRegime(regimes: Uint8Array, nx: number, ny: number, coords: readonly [number, number]): [number, number] | undefined {
  const own = regimes[coords[1] * nx + coords[0]];
  for (let radius = 1; radius < Math.max(nx, ny); radius++) {
    let best: [number, number] | undefined;
    let bestDistance = Infinity;
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== radius) continue;
        const x = coords[0] + dx;
        const y = coords[1] + dy;
        if (x < 0 || y < 0 || x >= nx || y >= ny || regimes[y * nx + x] === own) continue;
        const d = dx * dx + dy * dy;
        if (d < bestDistance) {
          bestDistance = d;
          best = [x, y];
        }
      }
    }
    if (best) return best;
  }
  return undefined;
}
