/**
 * Process entry of the command line (bundled to dist/cli.js and started by
 * bin/lrscope.js, which keeps Dawn's own stderr chatter out of the way).
 *
 * Ctrl-C, SIGTERM and SIGHUP cancel the command: it stops within a dispatch,
 * removes its partial output and exits 130. A second signal exits at once,
 * and the partial output is still removed on the way out. Started by
 * bin/lrscope.js, the command also stops when that parent process dies, and
 * tells it which temporary files it is writing, so that the parent can
 * remove them should this process be killed outright.
 */
import { discardPending, FdSink, onPartial, writeAll } from '../node/files.js';

const controller = new AbortController();
let interrupts = 0;
const interrupt = () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130); // a second signal stops at once (the exit handler removes partial files)
  controller.abort();
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, interrupt);
process.on('exit', discardPending);

if (process.send) {
  // Started with an IPC channel by bin/lrscope.js.
  onPartial((event, path) => process.send?.({ partial: event, path }));
  process.on('disconnect', () => {
    // The parent is gone (killed, or its terminal closed): stop as if interrupted, and do not linger.
    controller.abort();
    setTimeout(() => process.exit(130), 3000).unref();
  });
}

// The command itself is loaded after the handlers above, so a signal during start-up cancels it cleanly too.
const { main } = await import('./main.js');
const stderrIsTTY = process.env.LRSCOPE_STDERR_TTY ? process.env.LRSCOPE_STDERR_TTY === '1' : Boolean(process.stderr.isTTY);
const code = await main(process.argv.slice(2), {
  stdout: new FdSink(1),
  stderr: (text) => {
    try {
      writeAll(2, text);
    } catch {
      // stderr is gone (the parent process died): nothing to tell
    }
  },
  stderrIsTTY,
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  columns: Number(process.env.LRSCOPE_COLUMNS) || process.stderr.columns || 80,
  signal: controller.signal,
});
process.exit(code);
