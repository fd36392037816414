/**
 * `lrscope merge PART…`: the parts that `sweep --shard K/N` wrote, put back
 * together into any output of the whole sweep, the same bytes as one whole
 * run on the same engine (the summary's timing line aside). The parts are
 * read one block at a time in grid order, whatever order they are named in.
 */
import type { Command } from 'commander';
import { SpecError, throwIfAborted } from '../../errors.js';
import type { ChunkResult, Progress } from '../../engine/types.js';
import type { SpecInput } from '../../experiment/index.js';
import { openPart } from '../../node/parts.js';
import { MAP_COLORS } from '../../output/map.js';
import { PartError, type PartHeader } from '../../output/part.js';
import { describeRun } from '../../output/summary.js';
import { loadMathjsFor } from '../../objectives/load-mathjs.js';
import { parseChoice, parseFormat } from '../inputs.js';
import { EXIT, type CliIO } from '../io.js';
import { withOut } from '../work.js';
import { checkOutput, parseColumns, writeResults, type ResultSource, type SweepFormat } from './sweep.js';

const MERGE_FORMATS = ['summary', 'json', 'csv', 'png', 'arrow'] as const satisfies readonly SweepFormat[];

const A_PART = 'a part file written by lrscope sweep --shard K/N --out FILE';

function readHeader(path: string): PartHeader {
  try {
    const part = openPart(path);
    part.close();
    return part.header;
  } catch (e) {
    if (e instanceof PartError) throw new SpecError(path, e.message, A_PART);
    throw e;
  }
}

/** The first key in which two spec inputs differ, as `key: a vs b`. */
function firstDifference(a: SpecInput, b: SpecInput): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const value = (input: SpecInput, key: string) => JSON.stringify((input as Record<string, unknown>)[key]) ?? 'unset';
  const key = keys.find((k) => value(a, k) !== value(b, k));
  return key ? `${key}: ${value(b, key)} vs ${value(a, key)}` : 'the order of the swept parameters differs';
}

/** The parts in shard order, checked to be every shard of one sweep once. */
function checkParts(paths: readonly string[]): { path: string; header: PartHeader }[] {
  const parts = paths.map((path) => ({ path, header: readHeader(path) }));
  // Sorted first, so that what is said about them does not depend on the order they were named in.
  parts.sort((a, b) => a.header.shard.index - b.header.shard.index || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const first = parts[0]!;
  const spec = JSON.stringify(first.header.spec);
  for (const part of parts) {
    if (JSON.stringify(part.header.spec) !== spec) {
      throw new SpecError(part.path, `comes from another sweep than ${first.path} (${firstDifference(first.header.spec, part.header.spec)})`, 'the parts of one sweep, run with the same spec');
    }
  }
  const n = first.header.shard.of;
  for (const part of parts) {
    const { index, of } = part.header.shard;
    if (of !== n) throw new SpecError(part.path, `is shard ${index}/${of}, and ${first.path} is one of ${n} shards`, 'the parts of one split, every one --shard K/N with the same N');
  }
  parts.forEach((part, i) => {
    const previous = parts[i - 1];
    if (previous && previous.header.shard.index === part.header.shard.index) {
      throw new SpecError(part.path, `is shard ${part.header.shard.index}/${n}, as ${previous.path} is`, 'each shard once');
    }
  });
  const given = new Set(parts.map((p) => p.header.shard.index));
  const missing = Array.from({ length: n }, (_, k) => k + 1).filter((k) => !given.has(k));
  if (missing.length > 0) {
    const named = missing.length > 5 ? `${missing.slice(0, 5).join(', ')} … (${missing.length} in all)` : missing.join(', ');
    throw new SpecError('merge', `shard${missing.length > 1 ? 's' : ''} ${named} of ${n} ${missing.length > 1 ? 'are' : 'is'} missing`, `every shard 1 … ${n} of the sweep once`);
  }
  return parts;
}

export async function runMerge(command: Command, io: CliIO): Promise<number> {
  const options = command.opts() as { format?: string; out?: string; columns?: string; color?: string; theory?: boolean };
  const format = parseFormat(options, MERGE_FORMATS, 'summary');
  const color = options.color === undefined ? 'regime' : parseChoice('--color', options.color, MAP_COLORS);
  if (options.color !== undefined && format !== 'png') throw new SpecError('--color', `colours a png map, not ${format} output`, '--format png (or an --out file ending in .png)');
  // A part's spec is parsed as it is opened: mathjs in case its objective is a formula.
  await loadMathjsFor({ objective: 'expression' });
  const parts = checkParts(command.args);
  const opened = openPart(parts[0]!.path);
  opened.close();
  const spec = opened.spec;
  if (color === 'trainability' && !spec.base.trainability) {
    throw new SpecError('--color', 'trainability needs the loss record, and these parts were run without it', 'parts of a sweep run with --trainability (or --color trainability)');
  }
  const columns = options.columns === undefined ? undefined : parseColumns(spec, options.columns, format);
  checkOutput(spec, format, options.out, io);
  const theory = options.theory !== false;

  // Parts computed on different engines say so, each once, in shard order.
  const runs = [...new Set(parts.map((p) => describeRun(p.header.engine, spec.base)))];
  const descriptions = [...new Set(parts.map((p) => p.header.engine.description))];
  const total = parts.reduce((n, p) => n + p.header.range.count, 0);
  let seconds = 0;
  const source: ResultSource = {
    engine: { kind: parts[0]!.header.engine.kind, description: descriptions.join('; ') },
    run: runs.join('; '),
    async *chunks(onProgress: (p: Progress) => void): AsyncGenerator<ChunkResult> {
      let done = 0;
      for (const { path } of parts) {
        // One part open at a time, one block of it in memory.
        const part = openPart(path);
        try {
          const blocks = part.chunks();
          for (let next = blocks.next(); ; next = blocks.next()) {
            if (next.done) {
              seconds += next.value.seconds;
              break;
            }
            yield next.value;
            done += next.value.count;
            onProgress({ done, total });
            throwIfAborted(io.signal);
          }
        } catch (e) {
          if (e instanceof PartError) throw new SpecError(path, e.message, A_PART);
          throw e;
        } finally {
          part.close();
        }
      }
    },
    seconds: () => seconds,
  };
  const summary = await withOut(io, options.out, (out) => writeResults(spec, source, format, out, io, { theory, columns, color }));
  if ((format === 'summary' && !options.out) || (options.out && options.out !== '-')) await io.stdout.write(summary);
  return EXIT.ok;
}
