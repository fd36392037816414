/**
 * The value syntax shared by command-line flags, JSON specs and URL state.
 *
 *   0.2                 one value
 *   0.1,0.2,0.5         a list: one grid axis
 *   0.01:1.5:64         a range of 64 evenly spaced values, both ends included
 *   1e-3:10:64:log      the same, spaced evenly in log space
 *   [1,100]             a vector (one value per dimension)
 *   [1,1],[1,100]       a list of vectors
 *   [1,1:1000:64:log]   a vector whose second component is swept
 *
 * Square brackets group vector components, so a comma inside brackets never
 * separates sweep values.
 */

import { formatDf64, formatFloat32 } from '../float32.js';
import type { Precision } from './params.js';

export type Scale = 'list' | 'linear' | 'log';

/** One setting of a parameter. */
export type Value = number | boolean | string | readonly number[];

export type ParsedValue =
  | { readonly kind: 'fixed'; readonly value: Value }
  | { readonly kind: 'sweep'; readonly values: readonly Value[]; readonly scale: Scale }
  | { readonly kind: 'components'; readonly components: readonly ComponentValue[] };

/** One component of a vector: a fixed number, or a range that becomes its own axis. */
export type ComponentValue =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'sweep'; readonly values: readonly number[]; readonly scale: Scale };

/** A problem with a value; the caller adds the field name and the accepted form. */
export class ValueSyntaxError extends Error {
  override readonly name = 'ValueSyntaxError';
}

/** The most values one axis may hold. */
export const MAX_AXIS_LENGTH = 1 << 24;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number written in plain decimal or scientific notation. */
export function parseNumber(text: string): number {
  const t = text.trim();
  if (t === '') throw new ValueSyntaxError('a value is missing');
  if (!NUMBER.test(t)) throw new ValueSyntaxError(`"${t}" is not a number`);
  const x = Number(t);
  if (!Number.isFinite(x)) throw new ValueSyntaxError(`"${t}" is out of range`);
  return x;
}

/** Values of a range, with both ends exact. */
export function rangeValues(start: number, stop: number, count: number, scale: 'linear' | 'log'): number[] {
  if (!Number.isInteger(count) || count < 1) throw new ValueSyntaxError(`a range needs a positive whole COUNT, not ${count}`);
  if (count > MAX_AXIS_LENGTH) throw new ValueSyntaxError(`a range of ${count} values is longer than ${MAX_AXIS_LENGTH}`);
  if (count > 1 && start === stop) throw new ValueSyntaxError(`the range ${start}:${stop}:${count} is empty (START equals STOP)`);
  if (scale === 'log' && (start <= 0 || stop <= 0)) {
    throw new ValueSyntaxError(`a log range must stay above zero, not ${start}:${stop}`);
  }
  if (count === 1) return [start];
  const values = new Array<number>(count);
  if (scale === 'log') {
    const a = Math.log(start);
    const b = Math.log(stop);
    for (let i = 0; i < count; i++) values[i] = Math.exp(a + ((b - a) * i) / (count - 1));
  } else {
    for (let i = 0; i < count; i++) values[i] = start + ((stop - start) * i) / (count - 1);
  }
  values[0] = start;
  values[count - 1] = stop;
  return values;
}

/** START:STOP:COUNT or START:STOP:COUNT:log (also :lin). */
function parseRange(text: string): { values: number[]; scale: 'linear' | 'log' } {
  const parts = text.split(':');
  if (parts.length < 3 || parts.length > 4) throw new ValueSyntaxError(`"${text}" is not a range`);
  const [startText, stopText, countText, scaleText] = parts as [string, string, string, string | undefined];
  const start = parseNumber(startText);
  const stop = parseNumber(stopText);
  const countT = countText.trim();
  if (!/^\d+$/.test(countT)) throw new ValueSyntaxError(`the range count "${countT}" is not a positive whole number`);
  const count = Number(countT);
  if (count < 1) throw new ValueSyntaxError(`the range "${text}" is empty`);
  let scale: 'linear' | 'log' = 'linear';
  if (scaleText !== undefined) {
    const s = scaleText.trim();
    if (s === 'log') scale = 'log';
    else if (s !== 'lin' && s !== 'linear') throw new ValueSyntaxError(`"${s}" is not a range scale (log or lin)`);
  }
  return { values: rangeValues(start, stop, count, scale), scale };
}

/** Splits on commas that are not inside square brackets. */
function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let begin = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') {
      depth--;
      if (depth < 0) throw new ValueSyntaxError(`unbalanced "]" in "${text}"`);
    } else if (c === ',' && depth === 0) {
      items.push(text.slice(begin, i));
      begin = i + 1;
    }
  }
  if (depth !== 0) throw new ValueSyntaxError(`unbalanced "[" in "${text}"`);
  items.push(text.slice(begin));
  return items.map((s) => s.trim());
}

/** A number, a list of numbers or a range. */
export function parseNumberValue(text: string): ParsedValue {
  const t = text.trim();
  if (t === '') throw new ValueSyntaxError('a value is missing');
  if (t.includes('[') || t.includes(']')) throw new ValueSyntaxError(`"${t}" is a vector, but this takes single numbers`);
  if (t.includes(':')) {
    if (t.includes(',')) throw new ValueSyntaxError(`"${t}" mixes a list and a range`);
    const { values, scale } = parseRange(t);
    return values.length === 1 ? { kind: 'fixed', value: values[0]! } : { kind: 'sweep', values, scale };
  }
  const items = splitTopLevel(t);
  if (items.length === 1) return { kind: 'fixed', value: parseNumber(items[0]!) };
  return { kind: 'sweep', values: items.map(parseNumber), scale: 'list' };
}

/** `[a,b,…]`, each component a number or a range. */
function parseVectorLiteral(text: string): { fixed: number[] } | { components: ComponentValue[] } {
  if (!text.startsWith('[') || !text.endsWith(']')) throw new ValueSyntaxError(`"${text}" is not a vector like [1,100]`);
  const inner = text.slice(1, -1);
  if (inner.includes('[') || inner.includes(']')) throw new ValueSyntaxError(`"${text}" nests brackets`);
  const parts = inner.split(',').map((s) => s.trim());
  if (parts.length === 1 && parts[0] === '') throw new ValueSyntaxError(`the vector "${text}" is empty`);
  const components: ComponentValue[] = parts.map((part) => {
    if (part.includes(':')) {
      const { values, scale } = parseRange(part);
      return values.length === 1 ? { kind: 'fixed', value: values[0]! } : { kind: 'sweep', values, scale };
    }
    return { kind: 'fixed', value: parseNumber(part) };
  });
  if (components.every((c) => c.kind === 'fixed')) {
    return { fixed: components.map((c) => (c as { value: number }).value) };
  }
  return { components };
}

/** A vector parameter: any number form (broadcast to every dimension), or bracketed vectors. */
export function parseVectorValue(text: string): ParsedValue {
  const t = text.trim();
  if (!t.includes('[')) return parseNumberValue(t);
  const items = splitTopLevel(t);
  if (items.length === 1) {
    const v = parseVectorLiteral(items[0]!);
    return 'fixed' in v ? { kind: 'fixed', value: v.fixed } : { kind: 'components', components: v.components };
  }
  const vectors = items.map((item) => {
    const v = parseVectorLiteral(item);
    if (!('fixed' in v)) throw new ValueSyntaxError(`"${item}": a list of vectors cannot also sweep a component`);
    return v.fixed;
  });
  return { kind: 'sweep', values: vectors, scale: 'list' };
}

/** true/false (also 1/0, yes/no), or a list of them. */
export function parseBooleanValue(text: string): ParsedValue {
  const items = splitTopLevel(text.trim());
  const values = items.map((item) => {
    const s = item.toLowerCase();
    if (s === 'true' || s === '1' || s === 'yes') return true;
    if (s === 'false' || s === '0' || s === 'no') return false;
    throw new ValueSyntaxError(item === '' ? 'a value is missing' : `"${item}" is not true or false`);
  });
  return values.length === 1 ? { kind: 'fixed', value: values[0]! } : { kind: 'sweep', values, scale: 'list' };
}

/** One of a set of names, or a list of them. */
export function parseChoiceValue(text: string, choices: readonly string[]): ParsedValue {
  const items = splitTopLevel(text.trim());
  const values = items.map((item) => {
    if (item === '') throw new ValueSyntaxError('a value is missing');
    if (!choices.includes(item)) throw new ValueSyntaxError(`"${item}" is not one of ${choices.join(', ')}`);
    return item;
  });
  return values.length === 1 ? { kind: 'fixed', value: values[0]! } : { kind: 'sweep', values, scale: 'list' };
}

/** Writes a value back in the syntax above (for URLs, reproducible commands and labels), with the digits its precision tells apart. */
export function formatValue(value: Value, precision: Precision = 'float32'): string {
  if (Array.isArray(value)) return `[${value.map((x) => formatNumber(x, precision)).join(',')}]`;
  if (typeof value === 'number') return formatNumber(value, precision);
  return String(value);
}

/**
 * A number as the engines see it: the shortest text that reads back as the
 * same float32 (what the float32 kernels compute with), or as the same df64
 * (src/df64.ts), without numpy's trailing ".0".
 */
export function formatNumber(x: number, precision: Precision = 'float32'): string {
  return (precision === 'df64' ? formatDf64(x) : formatFloat32(x)).replace(/\.0$/, '');
}
