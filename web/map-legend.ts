/**
 * The map's legend, described once: for each regime its name, count, share
 * and colours. The page's HTML legend and the map's text alternative use it.
 */
import { judgedByLoss, REGIMES, regimeRgb, spectralColor, type Regime, type RegimeCounts } from '../src/core';
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

/** What a spec calls its regimes, in the page's language: a network's are judged by its loss (trained … not learning). */
export interface RegimeWords {
  readonly regimes: Readonly<Record<Regime, string>>;
  readonly shade: Readonly<Record<Regime, string>>;
  readonly meaning: Readonly<Record<Regime, string>>;
}

export function regimeWords(spec: { readonly base: { readonly objective: string } } | undefined, strings: Strings): RegimeWords {
  return spec && judgedByLoss(spec)
    ? { regimes: strings.lossRegimes, shade: strings.lossShade, meaning: strings.lossMeaning }
    : { regimes: strings.regimes, shade: strings.shade, meaning: strings.meaning };
}

export function legendRows(counts: RegimeCounts, words: RegimeWords): LegendRow[] {
  const total = REGIMES.reduce((s, r) => s + counts[r], 0);
  return REGIMES.map((regime) => ({
    regime,
    name: words.regimes[regime],
    count: counts[regime],
    share: total ? ((100 * counts[regime]) / total).toFixed(1) : '0.0',
    light: regimeRgb(regime, 0),
    full: regimeRgb(regime, 0.9),
    shade: words.shade[regime],
    meaning: words.meaning[regime],
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

/** The colour bar of the trainability colouring: trainable (blue, t = 1) on the left, not trainable (red, t = −1) on the right. */
export function scoreBarGradient(): string {
  const stops = Array.from({ length: 11 }, (_, k) => {
    const [r, g, b] = spectralColor(1 - k / 5);
    return `rgb(${r},${g},${b}) ${k * 10}%`;
  });
  return `linear-gradient(90deg, ${stops.join(', ')})`;
}

/** The trainability legend: the labelled colour bar, what the score is, and the trainable share of the map. */
export function scoreLegendHtml(strings: Strings, tally: { trainable: number; arrived: number; nan: number }): string {
  const share = tally.arrived ? ((100 * tally.trainable) / tally.arrived).toFixed(1) : '0.0';
  const grey = tally.nan > 0 ? `<p class="no-score"><span class="swatch nan"></span> ${strings.noScore}</p>` : '';
  return `<div class="score-legend" data-trainable-share="${share}">
      <div class="score-bar" role="img" aria-label="${strings.trainable} ← → ${strings.notTrainable}" style="background: ${scoreBarGradient()}"></div>
      <div class="score-bar-labels"><span>← ${strings.trainable}</span><span>${strings.notTrainable} →</span></div>
      <p class="trainable-share"${tally.arrived ? '' : ' hidden'}>${strings.trainableShare.replace('{share}', share).replace('{count}', String(tally.trainable)).replace('{total}', String(tally.arrived))}</p>
      <p class="score-explained"><small>${strings.scoreExplained}</small></p>${grey}
    </div>`;
}
