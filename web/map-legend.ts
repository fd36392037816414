/**
 * The map's legend, described once: for each regime its name, count, share
 * and colours. The page's HTML legend and the map's text alternative use it.
 */
import { REGIMES, regimeRgb, type Regime, type RegimeCounts } from '../src/core';
import type { Strings } from './i18n';

type Rgb = readonly [number, number, number];

export interface LegendRow {
  readonly regime: Regime;
  readonly name: string;
  readonly count: number;
  /** Percentage of the trajectories, one decimal. */
  readonly share: string;
  /** The lightest and the fullest shade of the regime's colour. */
  readonly light: Rgb;
  readonly full: Rgb;
  /** What the shade means for this regime, if anything. */
  readonly shade: string;
  /** What the regime is, in a line. */
  readonly meaning: string;
}

export function legendRows(counts: RegimeCounts, strings: Strings): LegendRow[] {
  const total = REGIMES.reduce((s, r) => s + counts[r], 0);
  return REGIMES.map((regime) => ({
    regime,
    name: strings.regimes[regime],
    count: counts[regime],
    share: total ? ((100 * counts[regime]) / total).toFixed(1) : '0.0',
    light: regimeRgb(regime, 0),
    full: regimeRgb(regime, 0.9),
    shade: strings.shade[regime],
    meaning: strings.meaning[regime],
  }));
}

const rgb = (c: Rgb) => `rgb(${c[0]},${c[1]},${c[2]})`;

/** One <li> per regime. */
export function legendHtml(rows: readonly LegendRow[]): string[] {
  return rows.map(
    (row) => `<li data-regime="${row.regime}"><span class="swatch" style="background: linear-gradient(90deg, ${rgb(row.light)}, ${rgb(row.full)})"></span>
        <div><span class="name">${row.name}</span> <span class="count">${row.count}</span> <span class="share">(${row.share}%)</span><br><small class="meaning">${row.meaning}${row.shade ? `; ${row.shade}` : ''}</small></div></li>`,
  );
}
