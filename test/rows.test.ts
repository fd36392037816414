/**
 * The CSV and JSON writers print their rows as bytes into a reused buffer,
 * with every constant text encoded once and a column's last value copied
 * rather than printed again. These tests feed them chunks made by hand, so
 * every value, repeat and missing field is known, and compare what they write
 * with texts written out here.
 */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../src/experiment';
import { REGIMES, type ChunkResult } from '../src/engine/types';
import { ROWS_PER_WRITE } from '../src/output/cells';
import { CsvWriter } from '../src/output/csv';
import { JsonWriter } from '../src/output/json';
import { StringSink, type TextSink } from '../src/output/sink';
import { emptyCounts } from '../src/sweep';

type Row = { regime: (typeof REGIMES)[number]; step: number; loss: number; w: number; peak: number; rate: number };

function chunkOf(start: number, rows: readonly Row[]): ChunkResult {
  const n = rows.length;
  return {
    start,
    count: n,
    dims: 1,
    regime: Uint8Array.from(rows, (r) => REGIMES.indexOf(r.regime)),
    regimeStep: Int32Array.from(rows, (r) => r.step),
    finalLoss: Float32Array.from(rows, (r) => r.loss),
    finalW: Float32Array.from(rows, (r) => r.w),
    peak: Float32Array.from(rows, (r) => r.peak),
    rate: Float64Array.from(rows, (r) => r.rate),
  } as unknown as ChunkResult;
}

async function csv(spec: ReturnType<typeof parseSpec>, chunks: ChunkResult[], sink: TextSink = new StringSink()): Promise<string> {
  const writer = new CsvWriter(sink, spec);
  await writer.begin();
  for (const c of chunks) await writer.chunk(c);
  await writer.end();
  return String(sink);
}

describe('rows written as bytes', () => {
  // lr varies fastest: cells 0…3 are lr 0.1, 0.2, 0.3, 0.4 at w0 = 5, cells 4…7 the same at w0 = -2.5.
  const spec = parseSpec({ lr: '0.1,0.2,0.3,0.4', w0: '5,-2.5', steps: 10 });
  const rows: Row[] = [
    { regime: 'converged', step: 7, loss: 0.1, w: -1, peak: 5, rate: 0.5 },
    { regime: 'converged', step: 7, loss: 0.1, w: -1, peak: 5, rate: 0.5 }, // the same values again: copied
    { regime: 'stalled', step: -1, loss: 0, w: -0, peak: 5, rate: 1 }, // -0 after -1, then 0 after -0
    { regime: 'stalled', step: -1, loss: 0, w: 0, peak: 5, rate: 1 },
    { regime: 'diverged', step: 3, loss: Infinity, w: Number.NaN, peak: 3.4028234663852886e38, rate: Number.NaN },
    { regime: 'oscillating', step: -1, loss: 36, w: 5, peak: 1e-5, rate: 0.99999994 },
    { regime: 'converging', step: -1, loss: 1.5e-7, w: -1.0000001, peak: 123456.79, rate: 0.123456789 },
    { regime: 'converging', step: 123456789, loss: 1.5e-7, w: -1.0000001, peak: 1e6, rate: 0.123456789 },
  ];
  const csvText = [
    'lr,w0,regime,regimeStep,finalLoss,finalW,peak,rate',
    '0.1,5.0,converged,7,0.1,-1.0,5.0,0.5',
    '0.2,5.0,converged,7,0.1,-1.0,5.0,0.5',
    '0.3,5.0,stalled,,0.0,-0.0,5.0,1',
    '0.4,5.0,stalled,,0.0,0.0,5.0,1',
    '0.1,-2.5,diverged,3,,,3.4028235e+38,',
    '0.2,-2.5,oscillating,,36.0,5.0,1e-05,0.9999999',
    '0.3,-2.5,converging,,1.5e-07,-1.0000001,123456.79,0.1234568',
    '0.4,-2.5,converging,123456789,1.5e-07,-1.0000001,1e+06,0.1234568',
    '',
  ].join('\n');

  it('CSV: numbers as numpy prints them, missing values empty, repeats and signed zeros kept apart', async () => {
    expect(await csv(spec, [chunkOf(0, rows)])).toBe(csvText);
  });

  it('the same bytes whatever the chunks', async () => {
    for (const cut of [1, 3, 5]) expect(await csv(spec, [chunkOf(0, rows.slice(0, cut)), chunkOf(cut, rows.slice(cut))])).toBe(csvText);
    // An empty chunk writes nothing (and the JSON's first row still has no comma before it).
    expect(await csv(spec, [chunkOf(0, []), chunkOf(0, rows)])).toBe(csvText);
  });

  it('JSON: one object per cell, null for a missing value', async () => {
    for (const chunks of [[chunkOf(0, rows)], [chunkOf(0, []), chunkOf(0, rows.slice(0, 2)), chunkOf(2, rows.slice(2))]]) {
      const sink = new StringSink();
      const writer = new JsonWriter(sink, spec, { engine: 'test' });
      await writer.begin();
      for (const c of chunks) await writer.chunk(c);
      await writer.end(emptyCounts());
      const cells = (JSON.parse(String(sink)) as { cells: unknown[] }).cells;
      // The same fields as the CSV's lines, an empty one as null.
      const number = (text: string) => (text === '' ? null : Number(text));
      const expected = csvText
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => {
          const [lr, w0, regime, regimeStep, finalLoss, finalW, peak, rate] = line.split(',') as string[];
          return { lr: number(lr!), w0: number(w0!), regime, regimeStep: number(regimeStep!), finalLoss: number(finalLoss!), finalW: number(finalW!), peak: number(peak!), rate: number(rate!) };
        });
      expect(cells).toEqual(expected);
      // The cells are the JSON texts of the CSV's fields, -0 included.
      expect(String(sink)).toContain('"finalW":-0.0,');
      expect(String(sink)).toMatch(/"cells":\[\n\{"lr":0\.1,"w0":5\.0,"regime":"converged",/);
    }
  });

  it('a chunk longer than one write is handed to the sink in slices of the same bytes, which may reuse them', async () => {
    const n = 2 * ROWS_PER_WRITE + 5;
    // lr takes the values 1, 2, …, n.
    const big = parseSpec({ lr: `1:${n}:${n}`, steps: 10 });
    const many: Row[] = Array.from({ length: n }, (_, i) => ({
      regime: REGIMES[i % REGIMES.length]!,
      step: i % 3 === 0 ? -1 : i,
      loss: Math.fround(i / 7),
      w: Math.fround(i % 5 === 0 ? 2 : -i / 3),
      peak: 5,
      rate: i % 11 === 0 ? Number.NaN : 1 / (i + 1),
    }));
    const slices: number[] = [];
    const parts: string[] = [];
    const decoder = new TextDecoder();
    // A sink that keeps only a copy, and checks that every slice ends on a row.
    const sink: TextSink = {
      write(data) {
        const text = typeof data === 'string' ? data : decoder.decode(data);
        if (typeof data !== 'string') slices.push(data.length);
        expect(text.endsWith('\n')).toBe(true);
        parts.push(text);
      },
    };
    await csv(big, [chunkOf(0, many)], sink);
    expect(slices).toHaveLength(3);
    const lines = parts.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(n + 1);
    // Spot checks, written out by hand.
    expect(lines[1]).toBe('1.0,converged,,0.0,2.0,5.0,');
    expect(lines[2]).toBe('2.0,converging,1,0.14285715,-0.33333334,5.0,0.5');
    // The last: lr 32773, a multiple of 3 (no step), 32772 / 7 and -32772 / 3 in float32, 1 / 32773 to 7 digits.
    expect(lines[n]).toBe('32773.0,oscillating,,4681.7144,-10924.0,5.0,0.00003051292');
  });
});
