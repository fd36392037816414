/**
 * `sweep --format arrow`, read by a real data tool: polars (nodejs-polars,
 * which parses Arrow IPC with polars' own Rust reader) opens the file lrscope
 * writes, and every column equals the CSV of the same sweep, parsed here on
 * its own. DuckDB is not the reader because it reads Arrow IPC only through
 * its arrow (nanoarrow) extension, which it downloads on first use. Neither
 * this machine nor CI can download it. That reader takes a file as the IPC
 * stream it embeds, so polars' stream reader stands in for it here.
 * nodejs-polars stays at 0.24.1: the native builds of later releases need
 * Node 22, and npm leaves them out without a word on Node 20.
 *
 * Also `--columns`, which chooses the fields of csv, json and arrow output.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import fc from 'fast-check';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpu';
import type { Engine } from '../src/engine/types';
import { parseSpec } from '../src/experiment';
import { ArrowWriter } from '../src/output/arrow';
import { rateFigure } from '../src/output/cells';
import type { TextSink } from '../src/output/sink';
import { emptyCounts, sweep } from '../src/sweep';
import { runCli } from './helpers/cli';

const cli = (args: string[], options: { stdoutTty?: boolean; engine?: Engine } = {}) => runCli(args, undefined, options);
const tempDir = () => mkdtempSync(join(tmpdir(), 'lrscope-arrow-'));
const bin = new URL('../bin/lrscope.js', import.meta.url).pathname;

/** Collects the bytes written. */
class ByteSink implements TextSink {
  private readonly parts: Buffer[] = [];
  write(data: string | Uint8Array): void {
    this.parts.push(Buffer.from(typeof data === 'string' ? Buffer.from(data) : data.slice()));
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** RFC 4180: commas separate fields, and double quotes enclose a field that holds commas (a swept vector). */
function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const fields: string[] = [];
      let field = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i]!;
        if (quoted && c === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = !quoted;
        else if (c === ',' && !quoted) {
          fields.push(field);
          field = '';
        } else field += c;
      }
      fields.push(field);
      return fields;
    });
}

/** What a CSV field says, as a column of the given polars type holds it: an empty field is null. */
function fromCsv(text: string, dtype: string): unknown {
  if (text === '') return null;
  switch (dtype) {
    case 'Float32':
      return Math.fround(Number(text));
    case 'Float64':
    case 'Int32':
    case 'UInt32':
      return Number(text);
    case 'Bool':
      return text === 'true';
    case 'Categorical':
      return text;
    case 'List(DataType(Float32))':
      return (JSON.parse(text) as number[]).map(Math.fround);
    default:
      throw new Error(`no reading of a CSV field as ${dtype}`);
  }
}

const dtypeOf = (df: pl.DataFrame, name: string) => /^DataType\((.*)\)$/.exec(String(df.getColumn(name).dtype))![1]!;

/** The CPU engine, streaming chunks of `size` trajectories. */
function chunked(size: number): Engine {
  const cpu = new CpuEngine();
  return { kind: 'cpu', description: cpu.description, run: (spec, options) => cpu.run(spec, { ...options, chunkSize: size }), trace: (spec, indices) => cpu.trace(spec, indices), dispose() {} };
}

/** The CSV and the Arrow file of one sweep, the file read by polars; chunks of 7 start mid-row of any axis. */
async function csvAndArrow(args: string[]) {
  const dir = tempDir();
  const engine = chunked(7);
  const csv = await cli(['sweep', ...args, '--format', 'csv', '--engine', 'cpu'], { engine });
  expect(csv.code).toBe(0);
  const arrow = await cli(['sweep', ...args, '--format', 'arrow', '--out', join(dir, 'results.arrow'), '--engine', 'cpu'], { engine });
  expect(arrow.stderr).toBe('');
  expect(arrow.code).toBe(0);
  const bytes = readFileSync(join(dir, 'results.arrow'));
  return { csv: parseCsv(csv.stdout), bytes, df: pl.readIPC(bytes) };
}

const STATS = { regime: 'Categorical', regimeStep: 'Int32', finalLoss: 'Float32', peak: 'Float32', rate: 'Float64' };

describe('sweep --format arrow, read by polars', () => {
  it.each([
    {
      title: 'a map of lr × decay rate with every kind of null (a diverged loss and rate, a regime step never reached)',
      args: ['--lr', '0.05:2.2:23', '--decay-rate', '0.5:1:6', '--schedule', 'exponential', '--decay-steps', '3', '--steps', '200'],
      types: { lr: 'Float32', decayRate: 'Float32', ...STATS, finalW: 'Float32' },
      nulls: ['finalLoss', 'rate', 'regimeStep'],
    },
    {
      title: 'a choice, a boolean, a whole number and a vector swept, with w in two dimensions',
      args: ['--lr', '0.1,0.9', '--schedule', 'exponential,inverse_time', '--decay-rate', '0.5', '--decay-steps', '3', '--staircase', 'true,false', '--warmup-steps', '0,10', '--w0', '[1,1],[2,-3]', '--curvature', '[1,2]', '--steps', '100'],
      types: { lr: 'Float32', schedule: 'Categorical', staircase: 'Bool', warmupSteps: 'UInt32', w0: 'List(DataType(Float32))', ...STATS, 'finalW[0]': 'Float32', 'finalW[1]': 'Float32' },
      nulls: ['regimeStep'],
    },
  ])('$title: every column equals the CSV', async ({ args, types, nulls }) => {
    const { csv, df } = await csvAndArrow(args);
    const [header, ...rows] = csv;
    expect(df.columns).toEqual(header);
    expect(df.height).toBe(rows.length);
    for (const [j, name] of header!.entries()) {
      const dtype = dtypeOf(df, name);
      expect(dtype, name).toBe((types as Record<string, string>)[name]);
      expect(df.getColumn(name).toArray(), name).toEqual(rows.map((row) => fromCsv(row[j]!, dtype)));
    }
    // The nulls each case is for are there.
    for (const name of nulls) expect(df.getColumn(name).nullCount(), name).toBeGreaterThan(0);
  });

  it('the file embeds a valid IPC stream, as readers that skip the footer need (polars reads it as a stream too)', async () => {
    const { bytes, df } = await csvAndArrow(['--lr', '0.1:1.9:9', '--curvature', '0.5,2', '--steps', '50']);
    expect(bytes.subarray(0, 6).toString()).toBe('ARROW1');
    const stream = pl.readIPCStream(bytes.subarray(8));
    expect(stream.columns).toEqual(df.columns);
    expect(stream.toRecords()).toEqual(df.toRecords());
  });

  it("the schema's metadata holds the spec, steps, engine, axes, theory, counts and boundary, as the JSON output writes them", async () => {
    const dir = tempDir();
    const args = ['sweep', '--lr', '0.05:2:32', '--curvature', '0.5:4:16', '--steps', '100', '--engine', 'cpu'];
    const json = JSON.parse((await cli([...args, '--format', 'json'])).stdout);
    // The format follows the file's extension.
    expect((await cli([...args, '--out', join(dir, 'map.arrow')])).code).toBe(0);
    const metadata = tableFromIPC(readFileSync(join(dir, 'map.arrow'))).schema.metadata;
    expect([...metadata.keys()]).toEqual(['spec', 'steps', 'engine', 'axes', 'theory', 'counts', 'boundary']);
    for (const key of ['spec', 'steps', 'engine', 'axes', 'theory', 'counts', 'boundary']) expect(JSON.parse(metadata.get(key)!), key).toEqual(json[key]);
    expect(json.boundary.dimension).toEqual(expect.any(Number));
  });

  it('writes record batches of a fixed size, whatever chunks the engine hands over', async () => {
    const dir = tempDir();
    const files = [];
    for (const size of [8, 5]) {
      const file = join(dir, `x${size}.feather`);
      expect((await cli(['sweep', '--lr', '0.1:1.9:36', '--steps', '50', '--out', file], { engine: chunked(size) })).code).toBe(0);
      files.push(readFileSync(file));
    }
    expect(files[1]!.equals(files[0]!)).toBe(true);
    // The batches are counted from the first trajectory, not from the engine's chunks.
    const spec = parseSpec({ lr: '0.1:1.9:36', steps: 50 });
    const sink = new ByteSink();
    const writer = new ArrowWriter(sink, spec, { engine: 'test' }, undefined, 8);
    await writer.begin();
    for await (const chunk of sweep(spec, new CpuEngine(), { chunkSize: 5 })) await writer.chunk(chunk);
    await writer.end(emptyCounts());
    expect(tableFromIPC(sink.bytes()).batches.map((b) => b.numRows)).toEqual([8, 8, 8, 8, 4]);
  });

  it('is not written to a terminal: without --out, or with --out -, it is refused in one line', async () => {
    for (const out of [[], ['--out', '-']]) {
      const { code, stdout, stderr } = await cli(['sweep', '--lr', '0.1,0.2', '--format', 'arrow', ...out, '--engine', 'cpu'], { stdoutTty: true });
      expect(stderr).toBe('lrscope: --out: arrow is binary and stdout is a terminal; expected a path like results.arrow, or stdout redirected to a file or a pipe\n');
      expect(code).toBe(2);
      expect(stdout).toBe('');
    }
  });

  it('goes to stdout when stdout is a pipe (the built command)', () => {
    const run = spawnSync(process.execPath, [bin, 'sweep', '--lr', '0.5,1,1.5', '--steps', '50', '--format', 'arrow', '--engine', 'cpu'], { env: { ...process.env, XDG_RUNTIME_DIR: '' } });
    expect(run.stderr.toString()).toBe('');
    expect(run.status).toBe(0);
    const df = pl.readIPC(run.stdout);
    expect(df.getColumn('regime').toArray()).toEqual(['converged', 'oscillating', 'diverged']);
  });
});

describe('sweep --columns', () => {
  const sweep = ['sweep', '--lr', '0.5,1,1.5', '--decay-rate', '0.9,1', '--schedule', 'exponential', '--decay-steps', '1', '--steps', '100', '--engine', 'cpu'];

  it('chooses the fields of csv, json and arrow output, in the order given', async () => {
    const full = parseCsv((await cli([...sweep, '--format', 'csv'])).stdout);
    const csv = parseCsv((await cli([...sweep, '--format', 'csv', '--columns', 'finalLoss,lr,regime,decayRate'])).stdout);
    const pick = (row: string[]) => ['finalLoss', 'lr', 'regime', 'decayRate'].map((name) => row[full[0]!.indexOf(name)]!);
    expect(csv).toEqual(full.map(pick));

    const json = JSON.parse((await cli([...sweep, '--format', 'json', '--columns', 'lr,decayRate,regime,finalLoss'])).stdout);
    expect(json.cells).toHaveLength(6);
    for (const cell of json.cells) expect(Object.keys(cell)).toEqual(['lr', 'decayRate', 'regime', 'finalLoss']);

    const dir = tempDir();
    expect((await cli([...sweep, '--out', join(dir, 'x.arrow'), '--columns', 'regime,rate'])).code).toBe(0);
    expect(pl.readIPC(readFileSync(join(dir, 'x.arrow'))).columns).toEqual(['regime', 'rate']);
  });

  it('every column in the default order writes what no --columns writes, byte for byte', async () => {
    const plain = await cli([...sweep, '--format', 'csv']);
    const listed = await cli([...sweep, '--format', 'csv', '--columns', 'lr,decayRate,regime,regimeStep,finalLoss,finalW,peak,rate']);
    expect(listed.stdout).toBe(plain.stdout);
  });

  it('finalW stands for all its components in several dimensions', async () => {
    const { stdout } = await cli(['sweep', '--lr', '0.1,0.2', '--curvature', '[1,2]', '--steps', '20', '--format', 'csv', '--columns', 'regime,finalW', '--engine', 'cpu']);
    expect(stdout.split('\n')[0]).toBe('regime,finalW[0],finalW[1]');
  });

  it.each([
    ['an unknown name', ['--columns', 'lr,loss'], /^lrscope: --columns: "loss" is not a column; expected a comma-separated list of lr, decayRate, regime, regimeStep, finalLoss, finalW, peak, rate$/],
    ['a name twice', ['--columns', 'lr,regime,lr'], /^lrscope: --columns: "lr" is named twice; expected each column once$/],
    ['an empty name', ['--columns', 'lr,'], /^lrscope: --columns: "" is not a column; expected a comma-separated list of/],
    ['a summary', ['--format', 'summary', '--columns', 'lr'], /^lrscope: --columns: chooses the fields of csv, json and arrow output, not of summary; expected --format csv, json or arrow$/],
  ])('%s is refused in one line, before any file is written', async (_, args, message) => {
    const dir = tempDir();
    const out = args.includes('--format') ? [] : ['--out', join(dir, 'x.arrow')];
    const { code, stdout, stderr } = await cli([...sweep, ...args, ...out]);
    expect(stderr.trimEnd()).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the components of finalW when it refuses a name in several dimensions', async () => {
    const { code, stderr } = await cli(['sweep', '--lr', '0.1,0.2', '--curvature', '[1,2,3]', '--format', 'csv', '--columns', 'w', '--engine', 'cpu']);
    expect(stderr).toBe('lrscope: --columns: "w" is not a column; expected a comma-separated list of lr, regime, regimeStep, finalLoss, finalW (or finalW[0] … finalW[2]), peak, rate\n');
    expect(code).toBe(2);
  });
});

describe('the rate figure', () => {
  /** The double `steps` representable values above x (below, for negative steps). */
  const nudge = (x: number, steps: number) => {
    const bits = new BigInt64Array(new Float64Array([x]).buffer);
    bits[0]! += BigInt(steps);
    return new Float64Array(bits.buffer)[0]!;
  };

  it('is Number(x.toPrecision(7)) for every finite x, ties and carries into an eighth digit included', () => {
    const nearTies = fc
      .tuple(fc.integer({ min: 999_999, max: 9_999_999 }), fc.constantFrom(0, 0.5, 0.4999995, 0.5000005, 0.9999999), fc.integer({ min: -30, max: 30 }), fc.integer({ min: -3, max: 3 }), fc.boolean())
      .map(([digits, fraction, exponent, steps, negative]) => nudge((negative ? -1 : 1) * (digits + fraction) * 10 ** exponent, steps));
    const any = fc.double({ noNaN: true, noDefaultInfinity: true });
    const rates = fc.double({ min: 0, max: 4, noNaN: true });
    fc.assert(
      fc.property(fc.oneof(nearTies, any, rates), (x) => {
        expect(Object.is(rateFigure(x), Number(x.toPrecision(7))), `${x}`).toBe(true);
      }),
      { numRuns: 30_000 },
    );
  });

  it('is NaN where the rate is not finite (written as null)', () => {
    for (const x of [Number.NaN, Infinity, -Infinity]) expect(rateFigure(x)).toBeNaN();
  });
});
