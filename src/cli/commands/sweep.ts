/** `lrscope sweep`: run a grid of trajectories, classify each, and write the summary, JSON, CSV, Arrow or a PNG map. */
import type { Command } from 'commander';
import { SpecError } from '../../errors.js';
import type { ChunkResult, Engine, Progress } from '../../engine/types.js';
import { gridSize, parseSpec, type Spec } from '../../experiment/index.js';
import type { OutputFile } from '../../node/files.js';
import type { ArrowWriter } from '../../output/arrow.js';
import { allCellColumns, type CellColumn } from '../../output/cells.js';
import { CsvWriter } from '../../output/csv.js';
import { JsonWriter } from '../../output/json.js';
import { MAP_COLORS, MapBuilder, type MapColor } from '../../output/map.js';
import { PartWriter, shardRange, type Shard } from '../../output/part.js';
import type { TextSink } from '../../output/sink.js';
import { describeRun, SweepTally } from '../../output/summary.js';
import { sweep } from '../../sweep.js';
import { parseChoice, parseEngineKind, parseFormat, parseKernelChoice, specInput } from '../inputs.js';
import { EXIT, type CliIO } from '../io.js';
import { progressFor, withEngineAndOut } from '../work.js';

const SWEEP_FORMATS = ['summary', 'json', 'csv', 'png', 'arrow', 'part'] as const;
export type SweepFormat = (typeof SWEEP_FORMATS)[number];

/** `--shard K/N`: shard K (1 … N) of the grid cut into N contiguous slices. */
export function parseShard(text: string): Shard {
  const match = /^(\d{1,9})\/(\d{1,9})$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const of = match ? Number(match[2]) : NaN;
  if (!(index >= 1 && index <= of)) throw new SpecError('--shard', `"${text}" is not accepted`, 'K/N with 1 ≤ K ≤ N, like 2/8 (shard K of N)');
  return { index, of };
}

export async function runSweep(command: Command, argv: readonly string[], io: CliIO): Promise<number> {
  const options = command.opts() as Record<string, string | undefined>;
  const shardText = options.shard;
  let shard = shardText === undefined ? undefined : parseShard(shardText);
  const format = parseFormat(options, SWEEP_FORMATS, shard ? 'part' : 'summary');
  if (shard && format !== 'part') throw new SpecError('--shard', `writes a part file, not ${format}`, '--format part, or an --out file ending in .lrpart');
  if (format === 'part') {
    if (!options.out) throw new SpecError(shard ? '--shard' : '--format', 'a part is written to a file, and --out is missing', 'an --out path like part-1.lrpart, to merge with lrscope merge');
    shard ??= { index: 1, of: 1 };
  }
  const color = options.color === undefined ? 'regime' : parseChoice('--color', options.color, MAP_COLORS);
  if (options.color !== undefined && format !== 'png') throw new SpecError('--color', `colours a png map, not ${format} output`, '--format png (or an --out file ending in .png)');
  const given = await specInput(command, argv, 1000);
  const input: Record<string, unknown> = { ...given };
  if (color === 'trainability') {
    // The score comes from the loss record: asked for by the colour, unless refused outright.
    if (input.trainability === false || input.trainability === 'false') {
      throw new SpecError('--color', 'trainability needs the loss record, and --trainability is false', '--color trainability without --trainability false');
    }
    input.trainability ??= true;
  }
  const spec = parseSpec(input as typeof given, 'flag');
  const engineKind = parseEngineKind(options);
  const kernel = parseKernelChoice(options.kernel);
  const columns = options.columns === undefined ? undefined : parseColumns(spec, options.columns, format);
  checkOutput(spec, format, options.out, io);
  const theory = (options as { theory?: boolean }).theory !== false;
  if (shard && shard.of > gridSize(spec)) throw new SpecError('--shard', `${shard.of} shards of a grid of ${gridSize(spec)} trajectories would leave some empty`, `at most ${gridSize(spec)} shards`);
  const range = shard && shardRange(shard, gridSize(spec));
  const summary = await withEngineAndOut(io, options.out, engineKind, kernel, (engine, out) => {
    const source: ResultSource = {
      engine,
      run: describeRun(engine, spec.base),
      chunks: (onProgress, minChunks) => sweep(spec, engine, { signal: io.signal, onProgress, minChunks, range, recycle: true }),
      shard,
    };
    return writeResults(spec, source, format, out, io, { theory, columns, color });
  });
  // The summary goes to stdout too, unless the output itself went there.
  if ((format === 'summary' && !options.out) || (options.out && options.out !== '-')) await io.stdout.write(summary);
  return EXIT.ok;
}

/** Refuses an output that cannot be written where it is asked to go: binary on a terminal, a png of no map or without a file. */
export function checkOutput(spec: Spec, format: SweepFormat, out: string | undefined, io: CliIO): void {
  if ((format === 'arrow' || format === 'part') && (!out || out === '-') && io.stdoutIsTTY) {
    // Binary on a terminal is of no use to anyone; a pipe or a redirected stdout takes it.
    throw new SpecError('--out', `${format} is binary and stdout is a terminal`, `a path like results.${format === 'part' ? 'lrpart' : 'arrow'}, or stdout redirected to a file or a pipe`);
  }
  if (format === 'png') {
    if (spec.axes.length === 0 || spec.axes.length > 2) {
      const swept = spec.axes.map((a) => a.name).join(', ') || 'nothing';
      throw new SpecError('--format', `png maps one or two swept axes, and this grid sweeps ${swept}`, 'a sweep of one or two parameters');
    }
    if (!out) throw new SpecError('--out', 'png needs a file to write', 'a path like map.png');
  }
}

/**
 * The --columns list: names of the cells' fields (src/output/cells.ts), in
 * the order given; `finalW` stands for all of its components.
 */
export function parseColumns(spec: Spec, text: string, format: SweepFormat): CellColumn[] {
  if (format !== 'csv' && format !== 'json' && format !== 'arrow') {
    throw new SpecError('--columns', `chooses the fields of csv, json and arrow output, not of ${format}`, '--format csv, json or arrow');
  }
  const all = allCellColumns(spec);
  const components = all.filter((c) => c.source.kind === 'finalW');
  // finalW's components are listed as one name: a network has hundreds of them.
  const several = components.length > 1;
  const accepted = all
    .filter((c) => c.source.kind !== 'finalW' || c === components[0])
    .map((c) => (c.source.kind === 'finalW' && several ? `finalW (or ${components[0]!.name} … ${components.at(-1)!.name})` : c.name));
  const chosen: CellColumn[] = [];
  for (const name of text.split(',').map((n) => n.trim())) {
    const matched = name === 'finalW' ? components : all.filter((c) => c.name === name);
    if (matched.length === 0) throw new SpecError('--columns', `"${name}" is not a column`, `a comma-separated list of ${accepted.join(', ')}`);
    for (const column of matched) {
      if (chosen.includes(column)) throw new SpecError('--columns', `"${column.name}" is named twice`, 'each column once');
      chosen.push(column);
    }
  }
  return chosen;
}

/**
 * The progress bar's position: the fraction of the sweep computed, or with
 * rows to write, half that and half the share of trajectories written, so
 * that the bar reaches its end when the last row is out rather than when the
 * last chunk is computed.
 */
export function sweepProgress(computed: number, written: number, total: number, writing: boolean): Progress {
  return writing ? { done: computed * total + written, total: 2 * total } : { done: computed, total: 1 };
}

/** Where a sweep's results come from: an engine (`sweep`) or part files (`merge`). */
export interface ResultSource {
  /** What computed them, for the JSON and Arrow "engine" field, the part's header and the summary. */
  readonly engine: Pick<Engine, 'kind' | 'description'>;
  /** The summary's and the map's words for it (describeRun). */
  readonly run: string;
  /**
   * The results in grid order; `minChunks` as RunOptions's. writeResults is done with each chunk
   * within its loop iteration (its writers copy or write synchronously), so the chunks may recycle their arrays.
   */
  chunks(onProgress: (p: Progress) => void, minChunks: number | undefined): AsyncIterable<ChunkResult>;
  /** The seconds the computing took, once every chunk is in; measured around the chunks when absent. */
  readonly seconds?: () => number;
  /** The slice of the grid a shard run computes (format part). */
  readonly shard?: Shard;
}

export interface OutputOptions {
  readonly theory: boolean;
  readonly columns: readonly CellColumn[] | undefined;
  readonly color: MapColor;
}

/** Writes the results in the format asked for, and returns the summary. */
export async function writeResults(spec: Spec, source: ResultSource, format: SweepFormat, out: OutputFile | undefined, io: CliIO, options: OutputOptions): Promise<string> {
  const { theory, columns, color } = options;
  const sink: TextSink = out ?? io.stdout;
  const shard = source.shard ?? (format === 'part' ? { index: 1, of: 1 } : undefined);
  const slice = shard && { shard, ...shardRange(shard, gridSize(spec)) };
  const total = slice ? slice.count : gridSize(spec);
  const part = format === 'part' ? new PartWriter(sink, spec, { engine: source.engine, shard: shard! }) : undefined;
  const writer: JsonWriter | CsvWriter | ArrowWriter | undefined =
    format === 'json'
      ? new JsonWriter(sink, spec, { engine: source.engine.description, boundary: false, columns })
      : format === 'csv'
        ? new CsvWriter(sink, spec, columns)
        : format === 'arrow'
          ? // Loaded only for Arrow output: importing apache-arrow takes about 0.15 s.
            new (await import('../../output/arrow.js')).ArrowWriter(sink, spec, { engine: source.engine.description }, columns)
          : undefined;
  const map = format === 'png' ? new MapBuilder(spec) : undefined;
  // Counts, regime changes and the boundary's box counts: none of it grows with the grid.
  const tally = new SweepTally(spec, slice);
  const progress = progressFor(io, `${total} trajectories`);
  let computed = 0;
  let written = 0;
  const writing = writer !== undefined || part !== undefined;
  const show = () => progress?.update(sweepProgress(computed, written, total, writing));
  const started = performance.now();
  await writer?.begin();
  await part?.begin();
  try {
    const onProgress = (p: Progress) => {
      computed = p.total > 0 ? p.done / p.total : 1;
      show();
    };
    // Rows are written as the next chunk computes: with at least 16 chunks, the last one, written
    // while nothing computes, is short.
    const minChunks = writing ? 16 : undefined;
    for await (const chunk of source.chunks(onProgress, minChunks)) {
      tally.add(chunk);
      await writer?.chunk(chunk);
      await part?.chunk(chunk);
      map?.add(chunk);
      written += chunk.count;
      show();
    }
  } finally {
    progress?.clear();
  }
  const seconds = source.seconds ? source.seconds() : (performance.now() - started) / 1000;
  await writer?.end(tally.counts, tally.boundaryFit(), tally.trainability());
  await part?.end(seconds);
  const summary = tally.text(source.run, seconds);
  if (map && out) {
    const { renderMapPng } = await import('../../node/png.js');
    out.write(renderMapPng(spec, map.raster(), { engine: source.run, counts: tally.counts, theory, color, trainability: tally.trainability() }));
  }
  if (format === 'summary' && out) out.write(summary);
  return summary;
}
