/** The experiment spec: parameters, value syntax, validation, and the grid it spans. */
export * from './types.js';
export * from './params.js';
export * from './values.js';
export { parseSpec } from './parse.js';
export * from './grid.js';
export * from './text.js';
export * from './limits.js';
