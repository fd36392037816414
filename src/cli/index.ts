/**
 * Process entry of the command line (bundled to dist/cli.js and started by
 * bin/lrscope.js, which keeps Dawn's own stderr chatter out of the way).
 */
import { FdSink, writeAll } from '../node/files.js';
import { main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C stops at once
    controller.abort();
  });
}

const stderrIsTTY = process.env.LRSCOPE_STDERR_TTY ? process.env.LRSCOPE_STDERR_TTY === '1' : Boolean(process.stderr.isTTY);
const code = await main(process.argv.slice(2), {
  stdout: new FdSink(1),
  stderr: (text) => writeAll(2, text),
  stderrIsTTY,
  columns: Number(process.env.LRSCOPE_COLUMNS) || process.stderr.columns || 80,
  signal: controller.signal,
});
process.exit(code);
