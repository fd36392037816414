// What the command-running benches (bench-output.js, bench-command.js) share: their flags and the median of their runs.

/** The value after `name` on the command line, or `fallback`. */
export function flag(name, fallback) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
}

/** The median of a list of timings (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
