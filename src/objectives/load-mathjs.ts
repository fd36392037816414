/** The command line's lazy load of mathjs (see mathjs-slot.ts); kept apart so the page's bundle, which loads mathjs at once, has no dynamic import of it. */
import { mathjsLoaded } from './mathjs-slot.js';

/**
 * Loads mathjs if a spec's raw fields may call for a formula: an objective
 * other than the quadratic and the network, or a typed-in loss (which implies
 * the objective `expression`).
 */
export async function loadMathjsFor(input: { readonly objective?: unknown; readonly loss?: unknown }): Promise<void> {
  const { objective, loss } = input;
  const formula = loss !== undefined || (objective !== undefined && objective !== 'quadratic' && objective !== 'mlp');
  if (!mathjsLoaded() && formula) await import('./mathjs.js');
}
