// Runs a Node script in a child process whose stderr passes through a filter:
// Dawn, the native WebGPU library, prints warnings about limits it lowers for
// itself, which are of no use to a user.
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

const NOISE = [/^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced/, /XDG_RUNTIME_DIR/];

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

  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    const kept = lines.filter((line) => !NOISE.some((re) => re.test(line)));
    if (kept.length) process.stderr.write(`${kept.join('\n')}\n`);
    // A progress bar redraws one line without a newline: pass it on at once,
    // unless it could be the start of a line we filter.
    if (pending && !'Warning: '.startsWith(pending.slice(0, 9))) {
      process.stderr.write(pending);
      pending = '';
    }
  });
  child.stderr.on('end', () => {
    if (pending && !NOISE.some((re) => re.test(pending))) process.stderr.write(pending);
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
