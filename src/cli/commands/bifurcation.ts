/** `lrscope bifurcation`: for each learning rate of a sweep, the last iterates of w. */
import type { Command } from 'commander';
import { SpecError } from '../../errors.js';
import { bifurcation, checkBifurcationSpec, parseComponent, parseTail, type Bifurcation } from '../../bifurcation.js';
import { parseSpec } from '../../experiment/index.js';
import { bifurcationSummary, writeBifurcationCsv, writeBifurcationJson } from '../../output/bifurcation.js';
import type { TextSink } from '../../output/sink.js';
import { describeRun } from '../../output/summary.js';
import { parseEngineKind, parseFormat, specInput } from '../inputs.js';
import { EXIT, type CliIO } from '../io.js';
import { progressFor, withEngineAndOut } from '../work.js';

export async function runBifurcation(command: Command, argv: readonly string[], io: CliIO): Promise<number> {
  const options = command.opts() as Record<string, string | undefined>;
  const spec = parseSpec(await specInput(command, argv, 1000), 'flag');
  checkBifurcationSpec(spec, 'flag');
  const tail = parseTail(options.tail, spec, 'flag');
  const component = parseComponent(options.component, spec, 'flag');
  const engineKind = parseEngineKind(options);
  const format = parseFormat(options, ['summary', 'json', 'csv', 'png'] as const, 'summary');
  if (format === 'png' && !options.out) throw new SpecError('--out', 'png needs a file to write', 'a path like bifurcation.png');
  const summary = await withEngineAndOut(io, options.out, engineKind, undefined, async (engine, out) => {
    const progress = progressFor(io, `${spec.axes[0]?.values.length ?? 1} learning rates`);
    const started = performance.now();
    let result: Bifurcation;
    try {
      result = await bifurcation(spec, engine, { tail, component, signal: io.signal, onProgress: (p) => progress?.update(p) });
    } finally {
      progress?.clear();
    }
    const text = bifurcationSummary(result, engine, (performance.now() - started) / 1000);
    const sink: TextSink = out ?? io.stdout;
    if (format === 'json') await writeBifurcationJson(sink, result, engine);
    else if (format === 'csv') await writeBifurcationCsv(sink, result);
    else if (format === 'png') {
      const { renderBifurcationPng } = await import('../../node/bifurcation-png.js');
      out!.write(renderBifurcationPng(result, { engine: describeRun(engine, result.spec.base) }));
    } else if (out) out.write(text);
    return text;
  });
  // The summary goes to stdout too, unless the output itself went there.
  if ((format === 'summary' && !options.out) || (options.out && options.out !== '-')) await io.stdout.write(summary);
  return EXIT.ok;
}
