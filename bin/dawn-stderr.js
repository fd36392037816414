// Runs a Node script in a child process whose stderr passes through a filter:
// Dawn, the native WebGPU library, prints warnings about limits it lowers for
// itself, which are of no use to a user. Signals are forwarded exactly once.
import { spawn } from 'node:child_process';

const NOISE = [/^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced/, /XDG_RUNTIME_DIR/];

export function runWithoutDawnNoise(script, args) {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['inherit', 'inherit', 'pipe'],
    detached: true, // its own process group: each signal is forwarded exactly once
    env: {
      ...process.env,
      LRSCOPE_STDERR_TTY: process.stderr.isTTY ? '1' : '0',
      LRSCOPE_COLUMNS: String(process.stderr.columns ?? ''),
    },
  });

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
    process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 1);
  });
}
