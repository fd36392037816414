/**
 * The line over the map that says what it shows: which runs a pixel stands
 * for (optimizer, objective, its fixed settings, steps, schedule) and which
 * settings vary across the map, in the page's language.
 */
import { axisTitle, formatNumber, networkSetting, type Axis, type Spec } from '../src/core';
import type { Strings } from './i18n';
import type { ColorChoice } from './state';

const numbers = (xs: readonly number[]) => (xs.length === 1 ? formatNumber(xs[0]!) : `[${xs.map((x) => formatNumber(x)).join(', ')}]`);

/** The objective as a formula (or a short description), with whatever of it the map does not vary. */
function objectiveText(spec: Spec, s: Strings): { objective: string; fixed: string } {
  const b = spec.base;
  const swept = (key: string) => spec.axes.some((a) => a.key === key);
  const fixed: string[] = [];
  let objective: string;
  if (b.objective === 'quadratic') {
    objective = spec.dims === 1 ? 'f(w) = ½·L·(w − c)²' : 'f(w) = Σ ½·Lᵢ·(wᵢ − cᵢ)²';
    if (!swept('curvature')) fixed.push(`L = ${numbers(b.curvature)}`);
    if (!swept('minimum')) fixed.push(`c = ${numbers(b.minimum)}`);
  } else if (b.objective === 'expression') {
    objective = `f = ${b.loss}`;
  } else if (b.objective === 'mlp') {
    objective = `${s.mlp}: ${b.width}-${b.width}-1, ${b.activation}, ${b.dataPoints} points${networkSetting(spec)}`;
  } else {
    objective = b.objective;
  }
  if (b.objective !== 'mlp' && !swept('w0')) fixed.push(`${s.fromPoint} w₀ = ${numbers(b.w0)}`);
  if (b.fastMath) fixed.push(s.fastMath);
  return { objective, fixed: fixed.length ? `, ${fixed.join(', ')}` : '' };
}

/** The caption's sentences (plain text: a typed-in loss is the user's): what a pixel is, and what its colour says. */
export function mapCaption(spec: Spec, s: Strings, color: ColorChoice = 'regime'): string {
  const b = spec.base;
  const [x, y] = spec.axes as [Axis, Axis];
  const { objective, fixed } = objectiveText(spec, s);
  const optimizer = b.optimizer === 'gd' ? s.gd : `${b.optimizer} (${b.convention})`;
  const schedule = b.schedule === 'constant' ? s.constantRate : s.scheduleNamed.replace('{schedule}', b.schedule);
  return s.caption
    .replace('{optimizer}', optimizer)
    .replace('{objective}', objective)
    .replace('{fixed}', fixed)
    .replace('{steps}', String(b.steps))
    .replace('{schedule}', schedule)
    .replace('{x}', axisTitle(x, s.titles))
    .replace('{y}', axisTitle(y, s.titles))
    .concat(s.captionJoin, color === 'trainability' ? s.captionTrainability : s.captionRegime);
}

/** Fills the caption element: the sentence, then a link to the lesson for a first visit. */
export function renderCaption(element: HTMLElement, spec: Spec, s: Strings, color: ColorChoice, openLesson: () => void): void {
  const link = Object.assign(document.createElement('a'), { href: '?view=lesson', textContent: s.captionLesson, className: 'lesson-link' });
  link.addEventListener('click', (e) => {
    e.preventDefault();
    openLesson();
  });
  element.replaceChildren(`${mapCaption(spec, s, color)}${s.captionJoin}${s.captionNew}${s.captionJoin}`, link, s.captionEnd);
}
