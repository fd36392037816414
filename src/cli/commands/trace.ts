/** `lrscope trace`: one trajectory, a row per step, as the seed prints it. */
import type { Command } from 'commander';
import { SpecError } from '../../errors.js';
import { checkTraceLength, PARAMS, parseSpec } from '../../experiment/index.js';
import { TRACE_COLUMNS, TRACE_FORMATS, writeTrace, type TraceColumn } from '../../output/trace.js';
import { parseEngineKind, parseFormat, specInput } from '../inputs.js';
import { EXIT, type CliIO } from '../io.js';
import { withEngineAndOut } from '../work.js';

export async function runTrace(command: Command, argv: readonly string[], io: CliIO): Promise<number> {
  const options = command.opts() as Record<string, string | undefined>;
  const spec = parseSpec(await specInput(command, argv, 40), 'flag');
  if (spec.axes.length > 0) {
    throw new SpecError(`--${PARAMS[spec.axes[0]!.key].flag}`, 'trace follows one trajectory', 'one value (lrscope sweep takes lists and ranges)');
  }
  checkTraceLength(spec, 'flag');
  const engineKind = parseEngineKind(options);
  const format = parseFormat(options, TRACE_FORMATS, 'plain');
  const columns = (options.columns ?? 'lr,step,w,loss').split(',').map((c) => c.trim());
  for (const c of columns) {
    if (!(TRACE_COLUMNS as readonly string[]).includes(c)) {
      throw new SpecError('--columns', `"${c}" is not a column`, `a comma-separated list of ${TRACE_COLUMNS.join(', ')}`);
    }
  }
  await withEngineAndOut(io, options.out, engineKind, undefined, async (engine, out) => {
    const [trace] = await engine.trace(spec, [0], { signal: io.signal });
    await writeTrace(out ?? io.stdout, spec, trace!, { columns: columns as TraceColumn[], format, engine: engine.description, signal: io.signal });
  });
  return EXIT.ok;
}
