/** A spec written back as the value syntax: the flags, or the text of one value, that reproduce it. */
import { PARAMS, type ParamKey } from './params.js';
import type { RawValue, Spec } from './types.js';

/** A raw value in the text syntax (JSON arrays and objects turned into their flag form). */
export function rawValueText(raw: RawValue): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (Array.isArray(raw)) {
    return raw.every((x) => typeof x === 'number') ? `[${raw.join(',')}]` : (raw as readonly (readonly number[])[]).map((v) => `[${v.join(',')}]`).join(',');
  }
  if ('values' in raw) {
    const values = (raw as { values: readonly unknown[] }).values;
    return values.map((v) => (Array.isArray(v) ? `[${v.join(',')}]` : String(v))).join(',');
  }
  const range = raw as { start: number; stop: number; count: number; scale?: string };
  return `${range.start}:${range.stop}:${range.count}${range.scale === 'log' ? ':log' : ''}`;
}

/** The command-line flags that reproduce a spec. */
export function specFlags(spec: Spec): string[] {
  const flags: string[] = [];
  for (const [key, raw] of Object.entries(spec.input) as Array<[ParamKey, RawValue]>) {
    const def = PARAMS[key];
    if (def.type === 'boolean' && raw === true) flags.push(`--${def.flag}`);
    else flags.push(`--${def.flag}`, rawValueText(raw));
  }
  return flags;
}
