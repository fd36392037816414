// Runs a Node script in a child process whose stderr passes through a filter.
// Dawn, the native WebGPU library, writes its own log lines straight to file
// descriptor 2 from C++, where JavaScript cannot catch them: warnings about
// limits it lowers for itself (while it looks for adapters, so no request of
// ours avoids them), and, on a machine without a usable Vulkan driver, why it
// found no adapter, with frames of its C++ source. lrscope says what a user
// needs in its own words (exit 3 and what to install, or a note that the CPU
// engine ran), so Dawn's warnings are dropped here. Its `Error:` lines and
// everything else pass; LRSCOPE_DEBUG=1 passes Dawn's warnings too.
//
// The two processes live and die together. Signals (INT, TERM, HUP) are
// forwarded to the child exactly once each. The child stops when this
// process dies, however it dies (it watches the IPC channel). If the child
// is killed outright, this process removes the temporary files it was
// writing, which the child announces over the channel, and exits with
// 128 + the signal's number, as a shell would.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants } from 'node:os';
import { stderrCanBeMuted } from './stderr-mutable.js';

/** A Dawn warning starts with its severity; an error it carries ends with source frames and a blank line. */
const DAWN_WARNING = /^Warning: /;
const DAWN_FRAME = /^ {4}at .*\(.*:\d+\)$/;
/** The Vulkan loader's complaint when XDG_RUNTIME_DIR is unusable. */
const XDG = /XDG_RUNTIME_DIR/;

/**
 * A line filter with a little state: a warning, the source frames after it,
 * and the blank line that ends a warning with frames are dropped.
 */
export function dawnLineFilter({ debug = false } = {}) {
  let after = 'text'; // 'text' | 'warning' | 'frames'
  const keep = (line) => {
    if (XDG.test(line)) return false;
    if (debug) return true;
    if (DAWN_WARNING.test(line)) {
      after = 'warning';
      return false;
    }
    if (after !== 'text' && DAWN_FRAME.test(line)) {
      after = 'frames';
      return false;
    }
    const blankAfterFrames = after === 'frames' && line === '';
    after = 'text';
    return !blankAfterFrames;
  };
  /** Whether an unfinished line could still turn out to be one that is dropped (so it is held back). */
  const mayDrop = (start) =>
    'Warning: '.startsWith(start.slice(0, 9)) || (after !== 'text' && '    at '.startsWith(start.slice(0, 7))) || XDG.test(start);
  return { keep, mayDrop };
}

/**
 * Whether a command can run in this process: help and the version, and any
 * command that writes no file, except `doctor`. Dawn never speaks in `merge`
 * or on the CPU engine (`--engine cpu`); a command that may use WebGPU keeps
 * Dawn's discovery off stderr itself, where stderr can be muted (see
 * stderrCanBeMuted). A command that writes a file (`--out`, and `zoom`'s
 * frames) keeps the two processes, so that a partial file is removed even if
 * the one doing the work is killed outright; `doctor` keeps them so that
 * what Dawn says about the drivers it tried is filtered the same way.
 */
export function runsInProcess(args, stderrMutable = stderrCanBeMuted()) {
  if (args.length === 0 || args[0] === 'help') return true;
  if (args.some((a) => a === '--help' || a === '-h' || a === '--version')) return true;
  const value = (flag) => {
    const i = args.indexOf(flag);
    if (i >= 0) return args[i + 1];
    return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const out = value('--out');
  const writesFile = (out !== undefined && out !== '-') || args[0] === 'zoom';
  if (writesFile) return false;
  if (args[0] === 'merge' || value('--engine') === 'cpu') return true;
  return stderrMutable && args[0] !== 'doctor';
}

export function runWithoutDawnNoise(script, args) {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['inherit', 'inherit', 'pipe', 'ipc'],
    detached: true, // its own process group: each terminal signal reaches it once, through here
    env: {
      ...process.env,
      LRSCOPE_STDERR_TTY: process.stderr.isTTY ? '1' : '0',
      LRSCOPE_COLUMNS: String(process.stderr.columns ?? ''),
    },
  });

  const partials = new Set();
  child.on('message', (message) => {
    if (!message || typeof message.path !== 'string') return;
    if (message.partial === 'open') partials.add(message.path);
    else partials.delete(message.path);
  });
  // The channel must not keep this process alive by itself.
  child.channel?.unref();

  const filter = dawnLineFilter({ debug: Boolean(process.env.LRSCOPE_DEBUG) });
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    const kept = lines.filter(filter.keep);
    if (kept.length) process.stderr.write(`${kept.join('\n')}\n`);
    // A progress bar redraws one line without a newline: pass it on at once,
    // unless it could be the start of a line we filter.
    if (pending && !filter.mayDrop(pending)) {
      process.stderr.write(pending);
      pending = '';
    }
  });
  child.stderr.on('end', () => {
    if (pending && filter.keep(pending)) process.stderr.write(pending);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) {
      for (const path of partials) rmSync(path, { force: true });
      process.exitCode = 128 + (constants.signals[signal] ?? 1);
    } else {
      process.exitCode = code ?? 1;
    }
  });
}
