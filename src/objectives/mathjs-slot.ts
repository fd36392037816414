/**
 * Where the expression compiler finds mathjs's parser and derivative.
 *
 * mathjs, even cut down to those two, is most of lrscope's code by size and
 * takes about 0.1 s to load, which a sweep of the quadratic or the network
 * never needs. The library and the page load it with everything else (src/core.ts
 * imports src/objectives/mathjs.ts); the command line loads it only for an
 * objective that is a formula (`loadMathjsFor`, in load-mathjs.ts), before parsing the spec.
 */
import type { MathNode } from 'mathjs';

export interface MathjsSubset {
  parse(source: string): MathNode;
  derivative(node: MathNode, variable: string, options: { simplify: boolean }): MathNode;
}

let loaded: MathjsSubset | undefined;

export function provideMathjs(math: MathjsSubset): void {
  loaded = math;
}

export function mathjs(): MathjsSubset {
  if (!loaded) throw new Error('lrscope: formulas need mathjs, which was not loaded (import src/objectives/mathjs.ts, or await loadMathjsFor(input) first)');
  return loaded;
}

export function mathjsLoaded(): boolean {
  return loaded !== undefined;
}
