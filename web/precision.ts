/**
 * The precision the map computes in, and the line over the map that says so.
 *
 * The choice (URL `precision=`, the settings' menu) is auto, float32 or df64.
 * Under auto the map runs in float32 while float32 resolves the view, and in
 * df64 once neighbouring pixels share a float32 value on an axis (a zoom past
 * float32's resolution), if the optimizer and the schedule have df64 versions;
 * zooming back out to where float32 resolves the view returns to float32. A
 * chosen float32 or df64 holds at every zoom.
 *
 * The URL names the precision the map runs in: auto writes `precision=df64`
 * where it runs df64 (so the link is a complete spec the command line runs the
 * same way) and nothing where it runs float32; a chosen precision is always
 * written. Reading a link, `precision=df64` on a view float32 cannot resolve
 * is auto (what auto would run there), elsewhere it is the choice of df64.
 */
import { DF64_OPTIMIZERS, DF64_SCHEDULES, inDf64, parseSpec, type Axis, type Precision, type Spec, type SpecInput } from '../src/core';
import { axisRange, rangeEdges, unresolvedAxes } from './axes';
import type { Strings } from './i18n';

export type PrecisionChoice = 'auto' | Precision;
export const PRECISION_CHOICES: readonly PrecisionChoice[] = ['auto', 'float32', 'df64'];

/** What keeps a spec from df64, as words for a sentence ("optimizer adam"); undefined where it has a df64 version. */
export function df64Missing(spec: Spec): string | undefined {
  // The values in play: the fixed one, or every value of an axis that sweeps it.
  const inPlay = <T>(key: 'optimizer' | 'schedule', fixed: T): T[] => (spec.axes.find((a) => a.key === key)?.values as T[] | undefined) ?? [fixed];
  const optimizer = inPlay('optimizer', spec.base.optimizer).find((o) => !DF64_OPTIMIZERS.includes(o));
  if (optimizer) return `optimizer ${optimizer}`;
  const schedule = inPlay('schedule', spec.base.schedule).find((s) => !DF64_SCHEDULES.includes(s));
  if (schedule) return `schedule ${schedule}`;
  return undefined;
}

/** The precision the map runs a spec in: the choice, or under auto df64 exactly where float32 cannot resolve the view and df64 can run it. */
export function mapPrecision(spec: Spec, choice: PrecisionChoice): Precision {
  if (choice !== 'auto') return choice;
  return unresolvedAxes(spec, 'float32').length > 0 && !df64Missing(spec) ? 'df64' : 'float32';
}

/** The spec input without its precision (the page keeps the choice apart from the spec). */
export function withoutPrecision(input: SpecInput): SpecInput {
  if (!('precision' in input)) return input;
  const { precision: _, ...rest } = input as Record<string, unknown>;
  return rest as SpecInput;
}

/** The spec input that runs in a precision (float32 is the default, left unsaid; df64 runs without fast math). */
export function withPrecision(input: SpecInput, precision: Precision): SpecInput {
  const bare = withoutPrecision(input);
  return precision === 'df64' ? inDf64(bare) : bare;
}

/** The precision a link's `precision=` names, for the map's spec: df64 where auto runs df64 anyway is auto. */
export function choiceFromUrl(given: PrecisionChoice, spec: Spec): PrecisionChoice {
  return given === 'df64' && mapPrecision(spec, 'auto') === 'df64' ? 'auto' : given;
}

/** The `precision=` a state writes into its URL: a chosen precision, or df64 where auto runs it; nothing for auto in float32. */
export function urlPrecision(input: SpecInput, choice: PrecisionChoice, map: boolean): Precision | undefined {
  if (choice !== 'auto') return choice;
  if (!map) return undefined;
  try {
    return mapPrecision(parseSpec(withoutPrecision(input)), 'auto') === 'df64' ? 'df64' : undefined;
  } catch {
    return undefined;
  }
}

/** An axis' span in its own scale: decades on a log axis, the plain difference on a linear one. */
function span(axis: Axis): number {
  const r = axisRange(axis);
  const [a, b] = rangeEdges(r);
  return r.log ? Math.log10(b / a) : b - a;
}

/**
 * How far a view is zoomed into a reference view (the one the zooms started
 * from): the reference's span over the view's, on whichever axis is zoomed the
 * most. Undefined where the two views share no axis.
 */
export function magnification(reference: Spec | undefined, spec: Spec): number | undefined {
  if (!reference) return undefined;
  const ratios = spec.axes.flatMap((axis) => {
    const ref = reference.axes.find((a) => a.key === axis.key && a.scale === axis.scale);
    return ref && typeof axis.values[0] === 'number' ? [span(ref) / span(axis)] : [];
  });
  const m = Math.max(...ratios.filter((r) => Number.isFinite(r) && r > 0));
  return Number.isFinite(m) ? m : undefined;
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** A magnification, compactly: "1×", "32×", "3200×", then "2.4 × 10¹¹". */
export function formatMagnification(m: number): string {
  if (m < 9999.5) return `${m < 10 ? Number(m.toPrecision(2)) : Math.round(Number(m.toPrecision(2)))}×`;
  const [mantissa, exponent] = m.toExponential(1).split('e') as [string, string];
  const power = String(Number(exponent)).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);
  return `${mantissa} × 10${power}`;
}

/** Above this the line over the map shows the magnification in float32 too (in df64 always). */
export const SHOW_MAGNIFICATION = 10;

/** What the map's precision line and note show for a view. */
export interface PrecisionView {
  /** The spec the map runs (its base.precision is the precision in use). */
  readonly spec: Spec;
  readonly choice: PrecisionChoice;
  /** The view the zooms started from. */
  readonly reference: Spec | undefined;
}

/**
 * Fills the line over the map (the precision in use and the magnification;
 * shown in df64, in float32 once zoomed over SHOW_MAGNIFICATION×, or when a
 * precision is chosen) and the note under it (where the precision in use no
 * longer resolves the view, and why the page cannot do better).
 */
export function renderPrecision(parts: { badge: HTMLElement; note: HTMLElement }, s: Strings, view: PrecisionView): void {
  const { spec, choice } = view;
  const precision = spec.base.precision;
  const m = magnification(view.reference, spec) ?? 1;
  const { badge, note } = parts;
  badge.dataset.precision = precision;
  badge.dataset.choice = choice;
  badge.dataset.magnification = String(m);
  badge.hidden = precision === 'float32' && choice === 'auto' && m <= SHOW_MAGNIFICATION;
  const name = precision === 'df64' ? s.precisionDf64 : s.precisionFloat32;
  const switched = precision === 'df64' && choice === 'auto' ? ` · ${s.precisionSwitched}` : '';
  badge.replaceChildren(
    Object.assign(document.createElement('strong'), { textContent: name }),
    `${switched} — `,
    Object.assign(document.createElement('span'), { className: 'magnification', textContent: s.magnification.replace('{m}', formatMagnification(m)) }),
  );
  badge.title = `${precision === 'df64' ? s.precisionDf64Title : s.precisionFloat32Title} ${s.magnificationTitle}`;

  const unresolved = unresolvedAxes(spec, precision).join(', ');
  note.hidden = unresolved === '';
  note.dataset.precision = precision;
  if (!unresolved) {
    note.textContent = '';
    return;
  }
  const missing = df64Missing(spec);
  const text = precision === 'df64' ? s.precisionNoteDf64 : choice === 'float32' || !missing ? s.precisionNoteChosen : s.precisionNote;
  note.textContent = text.replace('{axes}', unresolved).replace('{missing}', missing ?? '');
}
