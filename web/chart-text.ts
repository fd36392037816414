/**
 * Text alternatives of the page's charts, which are canvases: a chart is an
 * image (role="img") named by what it plots and where each line starts and ends.
 */
import type uPlot from 'uplot';

/** A number in four significant digits: 5, −0.9999, 1.2e+8. */
function short(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/**
 * "picked 5 → −1 (step 40); neighbour 5 → −7 (step 40)": each series' first
 * value and its last finite one, at the x where it is (a trajectory that
 * escapes ends where it was last finite).
 */
export function seriesSummary(data: uPlot.AlignedData, labels: readonly string[]): string {
  const x = data[0] as ArrayLike<number>;
  return labels
    .map((label, s) => {
      const ys = data[s + 1] as ArrayLike<number | null | undefined>;
      let first: number | undefined;
      let last: number | undefined;
      for (let k = 0; k < ys.length; k++) {
        const y = ys[k];
        if (y === null || y === undefined || !Number.isFinite(y)) continue;
        first ??= k;
        last = k;
      }
      if (first === undefined || last === undefined) return `${label}: —`;
      return `${label} ${short(ys[first]!)} → ${short(ys[last]!)} (${short(x[last]!)})`;
    })
    .join('; ');
}

/** Marks a chart's element as an image with a name. */
export function labelChart(element: HTMLElement, label: string): void {
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', label);
}

/**
 * A uPlot axis label that is the longest of `titles` (longest first) fitting
 * along the plot, so a narrow chart shows "lr, log scale" rather than a
 * clipped "lr (learning rate), log sc". uPlot calls it with its canvas set to
 * the label's font; `drawn` hears which title it chose.
 */
export function fittingTitle(titles: readonly string[], drawn?: (title: string) => void): uPlot.Axis.Label {
  return (u, axisIndex) => {
    const room = u.axes[axisIndex]!.side! % 2 === 0 ? u.bbox.width : u.bbox.height;
    const title = titles.find((t) => u.ctx.measureText(t).width <= room) ?? titles[titles.length - 1]!;
    drawn?.(title);
    return title;
  };
}
