/** `lrscope doctor`: the adapter, its limits and a self-test; or what to install. */
import type { Command } from 'commander';
import { doctorReport } from '../doctor.js';
import { EXIT, type CliIO } from '../io.js';

export async function runDoctor(command: Command, io: CliIO): Promise<number> {
  const { text, ok } = await doctorReport({ tune: Boolean((command.opts() as { tune?: boolean }).tune) });
  await io.stdout.write(text);
  return ok ? EXIT.ok : EXIT.noGpu;
}
