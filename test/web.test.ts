/**
 * The page in Debian's Chromium (playwright-core), served by `vite preview`:
 * with WebGPU enabled (a software adapter here) and without it. Under
 * CI=true a missing Chromium fails these tests; elsewhere they are skipped.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, startPreview } from '../scripts/browser.js';
import { CpuEngine } from '../src/engine/cpu';
import { REGIMES, type Regime } from '../src/engine/types';
import { formatNumber } from '../src/experiment/values';
import { regimeRgb } from '../src/output/map';
import { spectralColor } from '../src/output/score-colors';
import { CsvWriter } from '../src/output/csv';
import { StringSink } from '../src/output/sink';
import { parseSpec, PARAMS, type SpecInput } from '../src/experiment';
import { sweep } from '../src/sweep';
import { bifurcation } from '../src/bifurcation';
import { gpuRequired } from './helpers/engines';

const required = gpuRequired;
const available = chromiumAvailable();
if (!available && !required) console.warn('browser tests skipped: no Chromium at /usr/bin/chromium (set CHROMIUM_PATH)');
const describeBrowser = available || required ? describe : describe.skip;

let preview: { url: string; close: () => Promise<unknown> };
let browser: Browser;
/**
 * One context for the pages `open` makes with WebGPU: engine=auto times the
 * engines once for the whole file and later pages take the remembered choice.
 */
let shared: BrowserContext | undefined;

beforeAll(async () => {
  if (!available) throw new Error('Chromium is required under CI=true but was not found at /usr/bin/chromium');
  preview = await startPreview();
  browser = await launchBrowser({ webgpu: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await preview?.close();
});

async function open(search: string, b: Browser | BrowserContext = browser): Promise<Page> {
  const viewport = { width: 1280, height: 900 };
  if (b === browser) shared ??= await browser.newContext({ viewport });
  const page = b === browser ? await shared!.newPage() : 'newContext' in b ? await b.newPage({ viewport }) : await b.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(`${preview.url}${search}`);
  return page;
}

async function mapDone(page: Page): Promise<Record<string, string>> {
  await page.waitForSelector('#map[data-state=done]', { timeout: 240_000 });
  return page.evaluate(() => ({ ...(document.querySelector('#map') as HTMLElement).dataset }) as Record<string, string>);
}

/** Drags from cell (i0, j0) to cell (i1, j1) of a 40 × 30 map and waits for the zoomed map. */
async function dragZoom(page: Page, i0: number, j0: number, i1: number, j1: number): Promise<Record<string, string>> {
  const before = new URL(page.url()).searchParams.get('lr');
  const current = await mapDone(page);
  const box = await canvasBox(page);
  const a = cellCenter(current, i0, j0, 40, 30, box);
  const b = cellCenter(current, i1, j1, 40, 30, box);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2);
  await page.mouse.move(b.x, b.y);
  await page.mouse.up();
  await page.waitForFunction((lr) => new URL(location.href).searchParams.get('lr') !== lr, before);
  return mapDone(page);
}

/** Page coordinates of the centre of grid cell (i, j). */
function cellCenter(data: Record<string, string>, i: number, j: number, nx: number, ny: number, box: { x: number; y: number }) {
  const left = Number(data.plotLeft);
  const top = Number(data.plotTop);
  const width = Number(data.plotWidth);
  const height = Number(data.plotHeight);
  return { x: box.x + left + ((i + 0.5) / nx) * width, y: box.y + top + height - ((j + 0.5) / ny) * height };
}

async function canvasBox(page: Page) {
  const box = await page.locator('#map canvas').boundingBox();
  return box!;
}

/** Whether the canvas pixels at the centres of the given cells have the colours of the given regimes. */
async function pixelsMatch(page: Page, data: Record<string, string>, cells: ReadonlyArray<readonly [number, number]>, nx: number, ny: number, regimes: readonly Regime[]) {
  const pixels = await page.evaluate(
    ({ points, dpr }) => {
      const ctx = (document.querySelector('#map canvas') as HTMLCanvasElement).getContext('2d')!;
      return points.map(([x, y]) => Array.from(ctx.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data));
    },
    {
      points: cells.map(([i, j]) => {
        const c = cellCenter(data, i, j, nx, ny, { x: 0, y: 0 });
        return [c.x, c.y] as const;
      }),
      dpr: await page.evaluate(() => devicePixelRatio),
    },
  );
  cells.forEach(([i, j], n) => {
    const regime = regimes[j * nx + i]!;
    const light = regimeRgb(regime, 0);
    const full = regimeRgb(regime, 1);
    const rgb = pixels[n]!.slice(0, 3);
    const inside = rgb.every((v, k) => v >= Math.min(light[k]!, full[k]!) - 2 && v <= Math.max(light[k]!, full[k]!) + 2);
    expect(inside, `cell ${i},${j} (${regime}) has rgb(${rgb.join(',')})`).toBe(true);
  });
}

interface Decoded {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

async function decodePng(path: string): Promise<Decoded> {
  const image = await loadImage(readFileSync(path));
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext('2d').drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: canvas.getContext('2d').getImageData(0, 0, image.width, image.height).data };
}

const pixel = (image: Decoded, x: number, y: number) => image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3);
/** Ink: a neutral grey darker than the figure's lightest text (#666), not a regime's colour. */
const dark = (image: Decoded, x: number, y: number) => {
  if (x < 0) return false;
  const rgb = pixel(image, x, y);
  return Math.max(...rgb) < 120 && Math.max(...rgb) - Math.min(...rgb) <= 24;
};
const white = (image: Decoded, x: number, y: number) => x >= 0 && pixel(image, x, y).every((v) => v > 245);

/** Whether a colour is one of a regime's shades: on the line from white to the regime's colour, between its lightest and fullest shade. */
function isRegimeColour(r: number, g: number, b: number, regime: Regime): boolean {
  const full = regimeRgb(regime, 1);
  const light = regimeRgb(regime, 0);
  const k = [0, 1, 2].reduce((a, i) => (full[i]! < full[a]! ? i : a), 0); // the channel furthest from white
  const t = (255 - [r, g, b][k]!) / (255 - full[k]!);
  if (t < (255 - light[k]!) / (255 - full[k]!) - 0.02 || t > 1.02) return false;
  return [r, g, b].every((v, i) => Math.abs(v - (255 + (full[i]! - 255) * t)) <= 2);
}

/** The map's raster in an image: the rows whose longest run of regime colours is (within 2 pixels) the longest of all. */
function rasterBox(image: Decoded): { left: number; top: number; width: number; height: number } {
  const runs = Array.from({ length: image.height }, (_, y) => {
    let best = { left: 0, width: 0 };
    let start = -1;
    for (let x = 0; x <= image.width; x++) {
      const inside = x < image.width && REGIMES.some((regime) => isRegimeColour(...(Array.from(pixel(image, x, y)) as [number, number, number]), regime));
      if (inside && start < 0) start = x;
      if (!inside && start >= 0) {
        if (x - start > best.width) best = { left: start, width: x - start };
        start = -1;
      }
    }
    return best;
  });
  const widest = Math.max(...runs.map((r) => r.width));
  const rows = runs.flatMap((r, y) => (r.width >= widest - 2 ? [y] : []));
  return { left: runs[rows[0]!]!.left, top: rows[0]!, width: widest, height: rows.at(-1)! - rows[0]! + 1 };
}

/** Bands of consecutive rows that hold dark pixels between columns x0 and x1: lines of text. */
function darkBands(image: Decoded, x0: number, x1: number, y0: number, y1: number): Array<[number, number]> {
  const bands: Array<[number, number]> = [];
  for (let y = Math.max(0, y0); y < Math.min(image.height, y1); y++) {
    let any = false;
    for (let x = x0; x < x1 && !any; x++) any = dark(image, x, y);
    if (!any) continue;
    const last = bands.at(-1);
    if (last && last[1] === y - 1) last[1] = y;
    else bands.push([y, y]);
  }
  return bands;
}

/** The columns from x0 on that hold a pixel passing the test, if any: [first, last]. */
function columnsOf(image: Decoded, x0: number, x1: number, test: (r: number, g: number, b: number) => boolean): { left: number; right: number } | undefined {
  const columns: number[] = [];
  for (let x = x0; x < x1; x++) {
    for (let y = 0; y < image.height; y++) {
      if (test(...(Array.from(pixel(image, x, y)) as [number, number, number]))) {
        columns.push(x);
        break;
      }
    }
  }
  return columns.length ? { left: columns[0]!, right: columns.at(-1)! } : undefined;
}

/** Regimes of every grid point, by the CPU reference engine. */
async function cpuRegimes(input: SpecInput): Promise<Regime[]> {
  const regimes: Regime[] = [];
  for await (const chunk of sweep(parseSpec(input), new CpuEngine())) chunk.regime.forEach((r) => regimes.push(REGIMES[r]!));
  return regimes;
}

/** The grid in the command line's CSV, by the CPU reference engine. */
async function cpuCsv(input: SpecInput): Promise<string> {
  const sink = new StringSink();
  const spec = parseSpec(input);
  const writer = new CsvWriter(sink, spec);
  await writer.begin();
  for await (const chunk of sweep(spec, new CpuEngine())) await writer.chunk(chunk);
  await writer.end();
  return sink.toString();
}

describeBrowser('the page with WebGPU', () => {
  // The WebGPU engine by name: auto may pick the CPU workers on a software adapter.
  const search = '?lr=0.05:3:40&decayRate=0.8:1:30&schedule=exponential&decaySteps=1&steps=200&engine=gpu';

  it('loads, computes the map on the GPU and shows the adapter', async () => {
    const page = await open(search);
    const data = await mapDone(page);
    expect(data.engine).toBe('gpu');
    expect(data.grid).toBe('40x30');
    expect(await page.textContent('#engine')).toMatch(/WebGPU · adapter: \S/);
    expect(await page.isHidden('#webgpu-notice')).toBe(true);
    const legend = await page.textContent('#legend');
    expect(legend).toMatch(/converged \d+/);
    await page.close();
  });

  it('colours every sampled pixel by the regime the engine computes there', async () => {
    const regimes = await cpuRegimes({ lr: '0.05:3:40', decayRate: '0.8:1:30', schedule: 'exponential', decaySteps: '1', steps: '200' });
    const page = await open(search);
    const data = await mapDone(page);
    const samples = Array.from({ length: 60 }, (_, n) => [(n * 7) % 40, (n * 11) % 30] as const);
    await pixelsMatch(page, data, samples, 40, 30, regimes);
    await page.close();
  });

  it('shows the trajectory of a clicked point beside its neighbour across the boundary', async () => {
    const page = await open(search);
    const data = await mapDone(page);
    const box = await canvasBox(page);
    const c = cellCenter(data, 20, 15, 40, 30, box);
    await page.mouse.click(c.x, c.y);
    await page.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    expect(new URL(page.url()).searchParams.get('pick')).toBe('20,15');
    const caption = await page.textContent('#trajectory-caption');
    const lr = parseSpec({ lr: '0.05:3:40' }).axes[0]!.values[20] as number;
    const shown = Number(/picked: lr = ([\d.e+-]+),/.exec(caption!)?.[1]);
    expect(Math.fround(shown)).toBe(Math.fround(lr));
    expect(caption).toMatch(/neighbour: /);
    expect(await page.locator('#charts .uplot').count()).toBe(3);
    await page.close();
  });

  it('zooms into a dragged rectangle and recomputes it at full resolution, five times without compiling a shader', async () => {
    const page = await open(search);
    expect(Number((await mapDone(page)).shaderModules)).toBeGreaterThan(0);
    // The kernel's shape settles first: tuning it (once per adapter, after a first map) compiles other shapes.
    await page.waitForSelector('#engine[data-kernel-source=tuned], #engine[data-kernel-source=remembered], #engine[data-engine=cpu]', { timeout: 180_000 });
    const zoom = (i0: number, j0: number, i1: number, j1: number) => dragZoom(page, i0, j0, i1, j1);
    const zoomed = await zoom(10, 10, 20, 20);
    expect(zoomed.grid).toBe('40x30');
    // In the settled shape: from here on neither a zoom nor Back compiles anything.
    const modules = zoomed.shaderModules;
    // The first click after a zoom picks its point (the drag's own click is not carried over to the new plot).
    const box = await canvasBox(page);
    const c = cellCenter(zoomed, 7, 5, 40, 30, box);
    await page.mouse.click(c.x, c.y);
    await page.waitForFunction(() => new URL(location.href).searchParams.get('pick') === '7,5', undefined, { timeout: 30_000 });
    const params = new URL(page.url()).searchParams;
    const [lrStart, lrStop] = params.get('lr')!.split(':').map(Number);
    const lrValues = parseSpec({ lr: '0.05:3:40' }).axes[0]!.values as number[];
    expect(lrStart).toBeGreaterThan(lrValues[9]!);
    expect(lrStop).toBeLessThan(lrValues[21]!);
    // Four more: every coarse pass and full-resolution pass reuses the compiled kernel.
    for (let n = 0; n < 4; n++) expect((await zoom(8, 6, 30, 24)).shaderModules).toBe(modules);
    expect(await page.isEnabled('#back')).toBe(true);
    for (let n = 0; n < 5; n++) await page.click('#back');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('lr') === '0.05:3:40');
    // The first view again: the same grid structure in the same shape, compiled at the first zoom.
    const back = await mapDone(page);
    expect(back.shaderModules).toBe(modules);
    await page.close();
  });

  it('Reset returns to the view the zooms started from, also after Back; the browser\'s Back is the page\'s', async () => {
    const page = await open(search);
    await mapDone(page);
    const lr = () => new URL(page.url()).searchParams.get('lr');
    await dragZoom(page, 10, 10, 20, 20);
    await page.click('#back');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('lr') === '0.05:3:40');
    await mapDone(page);
    await page.click('#reset');
    await mapDone(page);
    expect(lr()).toBe('0.05:3:40');
    // Zoomed twice, then the browser's Back once: the page's Back still has one view to go back to.
    await dragZoom(page, 10, 10, 20, 20);
    const first = lr();
    await dragZoom(page, 8, 6, 30, 24);
    await page.goBack();
    await page.waitForFunction((want) => new URL(location.href).searchParams.get('lr') === want, first);
    await mapDone(page);
    expect(await page.isEnabled('#back')).toBe(true);
    await page.click('#back');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('lr') === '0.05:3:40');
    await mapDone(page);
    expect(await page.isEnabled('#back')).toBe(false);
    await page.close();
  });

  it('switching to Chinese on the map translates its status line, hover line, axis titles and the trajectories\' hint', async () => {
    const page = await open(search);
    await mapDone(page);
    expect(await page.getAttribute('#map', 'data-x-title')).toBe('lr (learning rate)');
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    expect(await page.textContent('#status')).toMatch(/^完成 · \d+ ms/);
    expect(await page.textContent('#hover')).toBe('将鼠标移到图上查看数值');
    expect(await page.textContent('#charts p.hint')).not.toMatch(/Click a point/);
    expect([await page.getAttribute('#map', 'data-x-title'), await page.getAttribute('#map', 'data-y-title')]).toEqual(['lr (学习率)', 'decayRate (衰减率)']);
    await page.close();
  });

  it('keeps the whole state in the URL', async () => {
    const state = '?lr=0.1:2:32:log&w0=-3:9:24&curvature=4&schedule=cosine&alpha=0.1&steps=150&lang=zh&pick=3,4';
    const page = await open(state);
    await mapDone(page);
    await page.waitForSelector('#charts[data-state=done]');
    expect(decodeURIComponent(new URL(page.url()).search)).toBe(state);
    expect(await page.inputValue('select[name=x-key]')).toBe('lr');
    expect(await page.isChecked('input[name=x-log]')).toBe(true);
    expect(await page.inputValue('select[name=y-key]')).toBe('w0');
    expect(await page.inputValue('select[name=schedule]')).toBe('cosine');
    expect(await page.inputValue('input[name=alpha]')).toBe('0.1');
    expect(await page.textContent('#tab-map')).toBe('稳定性图');
    // Reloading the link gives the same view.
    await page.reload();
    await mapDone(page);
    expect(decodeURIComponent(new URL(page.url()).search)).toBe(state);
    await page.close();
  });

  it('explains an invalid URL and falls back to the defaults', async () => {
    const page = await open('?lr=abc&curvature=0.5:4:32');
    await mapDone(page);
    const message = await page.textContent('#url-error');
    expect(message).toContain('lr: "abc" is not a number; expected a number');
    expect(await page.isVisible('#url-error')).toBe(true);
    expect(new URL(page.url()).searchParams.get('lr')).toBe('0.01:1.5:512');
    await page.close();
  });

  it('refuses a link whose formula carries code, and says which character', async () => {
    const loss = 'w^2 #\r\nfn evil() -> u32 { loop {} }';
    const page = await open(`?lr=0.1:1:8&w0=1:3:8&loss=${encodeURIComponent(loss)}`);
    await mapDone(page);
    expect(await page.textContent('#url-error')).toContain('loss: contains "#" at character 5, which is not part of a formula');
    expect(new URL(page.url()).searchParams.get('loss')).toBeNull(); // the defaults, not the link
    await page.close();
  });

  it('exports the grid in the command line\'s CSV, identical to the CPU reference engine', async () => {
    const input = { lr: '0.05:3:40', decayRate: '0.8:1:30', schedule: 'exponential', decaySteps: '1', steps: '200' } as const;
    const page = await open(search);
    await mapDone(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const exported = readFileSync((await download.path())!, 'utf8');
    expect(exported.split('\n').length).toBe(40 * 30 + 2);
    expect(exported).toBe(await cpuCsv(input));
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
    expect(readFileSync((await png.path())!).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    await page.close();
  });

  it('exports the map as a PNG at twice its CSS size on any screen, with a title, the command and a legend with an entry for the boundary', async () => {
    const boundary = '?lr=0.01:1.5:40&curvature=0.25:4:30&steps=100';
    const exported = async (scale: number, search: string) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: scale });
      const page = await context.newPage();
      await page.goto(`${preview.url}${search}`);
      const data = await mapDone(page);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
      const image = await decodePng((await download.path())!);
      await context.close();
      return { image, plotWidth: Number(data.plotWidth), plotHeight: Number(data.plotHeight) };
    };
    const on = await exported(1, boundary);
    const sharp = await exported(2, boundary);
    const off = await exported(1, `${boundary}&theory=off`);
    // The same image whatever the screen's pixel ratio.
    expect([sharp.image.width, sharp.image.height]).toEqual([on.image.width, on.image.height]);
    expect([off.image.width, off.image.height]).toEqual([on.image.width, on.image.height]);
    // The map's raster: the rectangle of rows whose longest run of regime colours is widest.
    const map = rasterBox(off.image);
    expect(map.width).toBeGreaterThanOrEqual(2 * off.plotWidth - 2);
    expect(map.width).toBeLessThanOrEqual(2 * off.plotWidth + 2);
    expect(map.height).toBeGreaterThanOrEqual(2 * off.plotHeight - 2);
    expect(map.height).toBeLessThanOrEqual(2 * off.plotHeight + 2);
    expect(rasterBox(sharp.image)).toEqual(rasterBox(on.image));
    // Above the map, two lines of dark text: the title and the command.
    const bands = darkBands(on.image, 0, on.image.width, 0, map.top - 2);
    expect(bands.length, JSON.stringify(bands)).toBeGreaterThanOrEqual(2);
    // Beside it, the legend: the regimes' swatches in one column, text to their right.
    const legendLeft = map.left + map.width + 4;
    const swatch = columnsOf(on.image, legendLeft, on.image.width, (r, g, b) => isRegimeColour(r, g, b, 'converged') || isRegimeColour(r, g, b, 'diverged'));
    expect(swatch, 'the legend has colour swatches').toBeDefined();
    expect(darkBands(on.image, swatch!.right + 2, on.image.width, 0, on.image.height).length).toBeGreaterThanOrEqual(5);
    // With theory shown, a dashed black line appears in the swatches' column, with words beside it.
    const appears = (x: number, y: number) => dark(on.image, x, y) && white(off.image, x, y);
    const dashedRows = Array.from({ length: on.image.height }, (_, y) => y).filter((y) => {
      let runs = 0;
      for (let x = swatch!.left; x <= swatch!.right; x++) if (appears(x, y) && !appears(x - 1, y)) runs++;
      return runs >= 2;
    });
    expect(dashedRows.length, 'rows of a dashed swatch').toBeGreaterThanOrEqual(2);
    let beside = 0;
    for (let y = dashedRows[0]! - 20; y <= dashedRows[0]! + 20; y++) for (let x = swatch!.right + 2; x < on.image.width; x++) if (appears(x, y)) beside++;
    expect(beside, 'the boundary entry\'s words').toBeGreaterThan(50);
  });

  it('notes when float32 can no longer resolve the view', async () => {
    // float32 chosen: auto would compute this view in df64 (see the deep zoom's test below).
    const page = await open('?lr=1:1.000001:64&curvature=1.9:2.1:16&steps=50&precision=float32');
    await mapDone(page);
    expect(await page.isVisible('#precision')).toBe(true);
    expect(await page.textContent('#precision')).toMatch(/float32 cannot resolve this view.*lr.*Precision is set to float32/);
    const wide = await open(search);
    await mapDone(wide);
    expect(await wide.isHidden('#precision')).toBe(true);
    await page.close();
    await wide.close();
  });

  it('a zoom past float32 switches to df64 and says so with the magnification; adam, without a df64 version, keeps float32 and its note', async () => {
    // Around a point of the boundary between converging and diverged under exponential decay (lr ≈ 12.8752563533 at decayRate 0.9).
    const c = 12.87525635333219;
    const w = 1e-5;
    const page = await open(`?lr=${c - w * c}:${c + w * c}:32&decayRate=${0.9 - w}:${0.9 + w}:32&schedule=exponential&decaySteps=1&steps=50&engine=gpu`);
    let data = await mapDone(page);
    expect(data.precision).toBe('float32');
    expect(await page.isHidden('#precision-badge')).toBe(true);
    // A drag across the middle cell zooms 32× on each axis: neighbouring pixels now share float32 values.
    const before = new URL(page.url()).searchParams.get('lr');
    const box = await canvasBox(page);
    const a = cellCenter(data, 15, 15, 32, 32, box);
    const b = cellCenter(data, 16, 16, 32, 32, box);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2);
    await page.mouse.move(b.x, b.y);
    await page.mouse.up();
    await page.waitForFunction((lr) => new URL(location.href).searchParams.get('lr') !== lr, before);
    data = await mapDone(page);
    expect(data.precision).toBe('df64');
    const badge = await page.locator('#precision-badge').evaluate((e) => ({ ...(e as HTMLElement).dataset, text: e.textContent, title: (e as HTMLElement).title }) as Record<string, string>);
    expect(badge.precision).toBe('df64');
    expect(Number(badge.magnification)).toBeGreaterThan(25);
    expect(badge.text).toMatch(/^df64 \(double-float\) · switched on automatically past float32 — magnification \d+×$/);
    expect(badge.title).toMatch(/two float32 values.*slowly/);
    expect(await page.isVisible('#precision-badge')).toBe(true);
    expect(await page.isHidden('#precision')).toBe(true);
    // The URL is a complete df64 spec with every digit the zoom needs: the CPU reference engine computes the same regimes from it.
    const params = new URL(page.url()).searchParams;
    expect(params.get('precision')).toBe('df64');
    const input = Object.fromEntries([...params].filter(([k]) => k !== 'engine')) as SpecInput;
    const counts = (rs: readonly string[]) => Object.fromEntries(REGIMES.map((r) => [r, rs.filter((x) => x === r).length]).filter(([, n]) => n));
    const df64 = counts(await cpuRegimes(input));
    expect(Object.keys(df64).sort()).toEqual(['converging', 'diverged']);
    const legend = (await page.textContent('#legend'))!;
    for (const [regime, n] of Object.entries(df64)) expect(legend).toContain(`${regime} ${n} `);
    // float32 draws this view otherwise: it no longer tells the pixels apart.
    expect(counts(await cpuRegimes({ ...input, precision: 'float32' } as SpecInput))).not.toEqual(df64);

    // Back out to where float32 resolves the view: float32 again, and no precision in the URL.
    await page.click('#back');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('precision'));
    expect((await mapDone(page)).precision).toBe('float32');

    // The deep view with adam: no df64 version, so float32 and the note that says why.
    const adam = await open(`?${[...params].filter(([k]) => k !== 'precision').map(([k, v]) => `${k}=${v}`).join('&')}&optimizer=adam`);
    expect((await mapDone(adam)).precision).toBe('float32');
    expect(await adam.isVisible('#precision')).toBe(true);
    expect(await adam.textContent('#precision')).toMatch(/float32 cannot resolve this view.*lr.*optimizer adam has no df64 version/);
    expect(new URL(adam.url()).searchParams.get('precision')).toBeNull();
    await page.close();
    await adam.close();
  });

  it('maps the tiny network over its two layer rates, every number as the CPU engine computes it', async () => {
    const input = { inputLr: '0.01:100:12:log', outputLr: '0.01:100:10:log', objective: 'mlp', width: '3', dataPoints: '8', steps: '60' };
    const regimes = await cpuRegimes(input);
    expect(new Set(regimes).size).toBeGreaterThan(1);
    const page = await open(`?${new URLSearchParams({ ...input, engine: 'gpu' })}`);
    const data = await mapDone(page);
    expect(data.engine).toBe('gpu');
    expect(data.grid).toBe('12x10');
    expect(await page.inputValue('select[name=objective]')).toBe('mlp');
    expect(await page.inputValue('input[name=width]')).toBe('3');
    await pixelsMatch(page, data, Array.from({ length: 120 }, (_, n) => [n % 12, Math.floor(n / 12)] as const), 12, 10, regimes);
    // Every number, final weights included, as the CPU engine computes it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(readFileSync((await download.path())!, 'utf8')).toBe(await cpuCsv(input));
    await page.close();
  });

  it("the legend's checkbox hides and shows the analytic boundary", async () => {
    const page = await open('?lr=0.01:1.5:40&curvature=0.25:4:30&steps=100');
    await mapDone(page);
    expect(await page.textContent('#legend')).toContain('lr·L = 2');
    const darkPixels = () =>
      page.evaluate(() => {
        const canvas = document.querySelector('#map canvas') as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 200 && data[i]! + data[i + 1]! + data[i + 2]! < 40) n++;
        return n;
      });
    const shown = await darkPixels();
    await page.uncheck('#legend input[name=theory]');
    expect(await page.getAttribute('#map', 'data-theory')).toBe('off');
    expect(new URL(page.url()).searchParams.get('theory')).toBe('off');
    const hidden = await darkPixels();
    expect(shown - hidden).toBeGreaterThan(200); // the dashed line's pixels
    await page.check('#legend input[name=theory]');
    expect(await darkPixels()).toBe(shown);
    expect(new URL(page.url()).searchParams.get('theory')).toBeNull();
    await page.close();
    // The link keeps it hidden.
    const linked = await open('?lr=0.01:1.5:40&curvature=0.25:4:30&steps=100&theory=off');
    await mapDone(linked);
    expect(await linked.isChecked('#legend input[name=theory]')).toBe(false);
    expect(await linked.getAttribute('#map', 'data-theory')).toBe('off');
    await linked.close();
  });

  it('has the seed presets: lr = 1 picks the period-2 orbit', async () => {
    const page = await open(search);
    await mapDone(page);
    await page.selectOption('select[name=preset]', 'seed-1');
    await page.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    expect(await page.textContent('#trajectory-caption')).toMatch(/picked: lr = 1, curvature = 2: oscillating/);
    await page.close();
  });

  it('a preset stays named in its menu, and its 301 × 201 grid survives an edit of the form', async () => {
    const page = await open(search);
    await mapDone(page);
    await page.selectOption('select[name=preset]', 'seed-1');
    await page.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    expect(await page.inputValue('select[name=preset]')).toBe('seed-1');
    expect(await page.inputValue('select[name=resolution]')).toBe('301x201');
    expect(await page.textContent('select[name=resolution] option:checked')).toBe('301 × 201');
    await page.fill('input[name=steps]', '41');
    await page.dispatchEvent('input[name=steps]', 'change');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('steps') === '41', undefined, { timeout: 60_000 });
    const params = new URL(page.url()).searchParams;
    expect([params.get('lr'), params.get('curvature')]).toEqual(['0:1.5:301', '0:4:201']);
    // Edited, the view is no longer the preset, and the menu says so.
    await mapDone(page);
    expect(await page.inputValue('select[name=preset]')).toBe('');
    await page.close();
  });

  it("prints the seed's three runs exactly as TensorFlow did", async () => {
    const page = await open('?view=lesson');
    await page.waitForSelector('#lesson[data-state=done]', { timeout: 120_000 });
    const example = async (id: string) => (await page.textContent(`pre[data-example="${id}"]`))!.split('\n');
    const one = await example('1');
    expect(one).toHaveLength(40);
    expect(one.slice(-4)).toEqual(['-0.99999994', '-0.99999994', '-0.99999994', '-0.99999994']);
    const two = await example('2');
    expect(two.slice(0, 4)).toEqual(['-7.0', '5.0', '-7.0', '5.0']);
    const three = await example('3');
    expect(three.slice(0, 4)).toEqual(['0.099 1 3.8 23.04', '0.09801 2 2.8495998 14.819419', '0.0970299 3 2.0950012 9.579033', '0.096059605 4 1.494386 6.2219615']);
    expect(three.slice(35)).toEqual([
      '0.069641344 36 -0.9922965 5.9343653e-05',
      '0.06894493 37 -0.99336946 4.396406e-05',
      '0.068255484 38 -0.99428374 3.2675678e-05',
      '0.06757293 39 -0.9950641 2.436331e-05',
      '0.066897206 40 -0.9957312 1.8222867e-05',
    ]);
    expect(await page.textContent('.factor')).toMatch(/\|1 − lr·L\| = 1 — exactly 1/);
    await page.fill('input[name=lesson-lr]', '0.5');
    await page.waitForFunction(() => document.querySelector('.factor')?.textContent?.includes('= 0 —'));
    expect(new URL(page.url()).searchParams.get('lessonLr')).toBe('0.5');
    await page.close();
  });
});

describeBrowser('a first visit', () => {
  const phone = { width: 390, height: 844 };

  async function openAt(search: string, viewport: { width: number; height: number }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.on('pageerror', (e) => {
      throw e;
    });
    await page.goto(`${preview.url}${search}`);
    return page;
  }

  it('says over the map what a pixel is, defines the regimes where they are shown, and links the lesson', async () => {
    const page = await open('?lr=0.05:3:40&curvature=0.25:4:30&steps=200');
    await mapDone(page);
    const caption = (await page.textContent('#map-caption'))!;
    // The spec's own settings: gradient descent on the default quadratic, c = -1, from w0 = 5, 200 steps, lr and L swept.
    for (const part of ['one run of gradient descent', 'f(w) = ½·L·(w − c)²', 'c = -1', 'w₀ = 5', '200 steps', 'lr (learning rate)', 'curvature (curvature L)']) {
      expect(caption).toContain(part);
    }
    expect(caption).not.toContain('L = '); // L is an axis here, not a setting
    for (const regime of REGIMES) expect((await page.textContent(`#legend li[data-regime=${regime}] .meaning`))!.length).toBeGreaterThan(15);
    expect(await page.textContent('#map-note')).toMatch(/^Boundary dimension: .*box counting/);
    const presets = await page.locator('select[name=preset] option').allTextContents();
    expect(presets.filter((p) => /^Seed/.test(p))).toEqual([]);
    await page.click('#map-caption a');
    await page.waitForSelector('#lesson[data-state=done]', { timeout: 120_000 });
    expect(await page.isVisible('#lesson-view')).toBe(true);
    await page.close();
  });

  it('shows a picked run beside the map in a wide window, and scrolls to it in a narrow one', async () => {
    const search = '?lr=0.05:3:40&curvature=0.25:4:30&steps=200&pick=20,15';
    const wide = await open(search);
    await mapDone(wide);
    await wide.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    const map = (await wide.locator('#map').boundingBox())!;
    const chart = (await wide.locator('#charts .uplot').first().boundingBox())!;
    // Right of the map, and on the first screen.
    expect(chart.x).toBeGreaterThan(map.x + map.width);
    expect(chart.y + chart.height).toBeLessThan(900);
    await wide.close();

    const narrow = await openAt('?lr=0.05:3:40&curvature=0.25:4:30&steps=200', phone);
    const data = await mapDone(narrow);
    const box = await canvasBox(narrow);
    const c = cellCenter(data, 20, 15, 40, 30, box);
    await narrow.mouse.click(c.x, c.y);
    await narrow.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    await narrow.waitForFunction(() => {
      const top = document.querySelector('#charts .uplot')!.getBoundingClientRect().top;
      return top >= 0 && top < innerHeight - 100;
    }, undefined, { timeout: 10_000 });
    await narrow.close();
  });

  it('keeps the coarse preview under the full resolution while it computes, and says so in the legend', async () => {
    // 300 × 400 cells are two chunks: sampled once the first has landed, while the second computes.
    const page = await open('?lr=0.01:1.5:300&curvature=0.25:4:400&steps=1500');
    await page.waitForFunction(
      () => {
        const d = (document.querySelector('#map') as HTMLElement).dataset;
        return d.pass === 'full' && Number(d.chunks) >= 1 && d.state === 'computing';
      },
      undefined,
      { timeout: 120_000, polling: 10 },
    );
    const during = await page.evaluate(() => {
      const map = document.querySelector('#map') as HTMLElement;
      const canvas = map.querySelector('canvas')!;
      const ctx = canvas.getContext('2d')!;
      const d = map.dataset;
      // The plot's top row, which the full resolution reaches last (in the second chunk): coloured by the preview, not blank.
      const x = (Number(d.plotLeft) + Number(d.plotWidth) / 2) * devicePixelRatio;
      const y = (Number(d.plotTop) + 3) * devicePixelRatio;
      const counts = [...document.querySelectorAll('#legend .count')].map((e) => Number(e.textContent));
      return { state: d.state, alpha: ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data[3], rgb: Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3)), counts, note: document.querySelector('#legend .legend-preview')?.textContent ?? '' };
    });
    expect(during.state).toBe('computing');
    expect(during.rgb).not.toEqual([255, 255, 255]);
    expect(during.alpha).toBe(255);
    // The coarse pass's 75 × 100 cells, not the part of the full resolution computed so far.
    expect(during.counts.reduce((a, b) => a + b, 0)).toBe(75 * 100);
    expect(during.note).toMatch(/coarse pass \(75 × 100\)/);
    await mapDone(page);
    const counts = await page.locator('#legend .count').allTextContents();
    expect(counts.map(Number).reduce((a, b) => a + b, 0)).toBe(300 * 400);
    expect(await page.locator('#legend .legend-preview').count()).toBe(0);
    await page.close();
  });

  it('charts each run on its own scale, end an escaped run at its escape, and read a long run', async () => {
    // The rescue preset's point: picked converges, its neighbour escapes at a step the caption names.
    const page = await open('?lr=0:3:301&decayRate=0.8:1:201&schedule=exponential&decaySteps=1&steps=300&pick=150,150');
    await mapDone(page);
    await page.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    expect(await page.getAttribute('#charts', 'data-scales')).toBe('own');
    const escape = Number(/escaped at step (\d+)/.exec((await page.textContent('#trajectory-caption'))!)![1]);
    expect(escape).toBeGreaterThan(10);
    // Hover the w chart well after the escape: the picked run has a value there, the escaped one none.
    const over = (await page.locator('#charts .uplot').first().locator('.u-over').boundingBox())!;
    await page.mouse.move(over.x + over.width * ((escape + 300) / 2 / 300), over.y + over.height / 2);
    const values = await page.locator('#charts .uplot').first().locator('.u-legend .u-value').allTextContents();
    expect(values[1]).toMatch(/\d/); // picked
    expect(values[2]).not.toMatch(/\d/); // neighbour: past its escape, no value
    expect(await page.textContent('#charts .chart-controls')).toMatch(/Drag across a chart to zoom/);
    await page.check('#charts input[name=shared-scale]');
    await page.waitForFunction(() => document.querySelector('#charts')!.getAttribute('data-scales') === 'shared');
    await page.close();

    // The boundary preset: lr·L = 2 exactly, 1000 steps of a period-2 orbit.
    const long = await open('?lr=0.98:1.02:41&curvature=1.96:2.04:41&steps=1000&pick=20,20');
    await mapDone(long);
    await long.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    expect(await long.getAttribute('#charts', 'data-drawn')).toBe('dots');
    // The lr chart (constant lr = 1): tick labels that differ from one another.
    const ticks = (await long.locator('#charts .uplot').nth(2).getAttribute('data-ticks1'))!.split('|');
    expect(ticks.length).toBeGreaterThan(2);
    expect(new Set(ticks).size).toBe(ticks.length);
    await long.close();
  });

  it('fits a phone: the map within the width, the settings folded behind one button under the presets', async () => {
    const page = await openAt('?lr=0.05:3:40&curvature=0.25:4:30&steps=200', phone);
    await mapDone(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const canvas = (await page.locator('#map canvas').boundingBox())!;
    expect(canvas.x + canvas.width).toBeLessThanOrEqual(390);
    const presets = (await page.locator('select[name=preset]').boundingBox())!;
    expect(presets.y).toBeLessThan(canvas.y);
    expect(await page.isVisible('input[name=steps]')).toBe(false);
    expect(await page.getAttribute('.controls-toggle', 'aria-expanded')).toBe('false');
    await page.click('.controls-toggle');
    expect(await page.isVisible('input[name=steps]')).toBe(true);
    expect(await page.getAttribute('.controls-toggle', 'aria-expanded')).toBe('true');
    // The other views fit too.
    for (const tab of ['#tab-lesson', '#tab-bifurcation']) {
      await page.click(tab);
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), tab).toBeLessThanOrEqual(390);
    }
    await page.close();
  });

  it("on a phone a field's help shows under it once tapped, the focus survives the form's redraw, and the axis titles fit", async () => {
    const page = await openAt('?objective=mlp&width=2&dataPoints=4&inputLr=0.01:100:8:log&outputLr=0.01:100:8:log&steps=20&engine=cpu', phone);
    const map = await mapDone(page);
    // Too narrow for "outputLr (output-layer learning rate), log scale": the title drops the meaning, not its end.
    expect(map.yTitle).toBe('outputLr (output-layer learning rate), log scale');
    expect(map.yTitleDrawn).toBe('outputLr, log scale');
    expect(map.xTitleDrawn).toBe('inputLr, log scale');
    await page.click('.controls-toggle');
    expect(await page.isVisible('.field-help')).toBe(false);
    // Each edit draws the form again: `redrawn` waits for that, by a mark on a control the new form no longer has.
    const mark = () => page.evaluate(() => ((document.querySelector('#controls select[name=resolution]') as HTMLElement).dataset.old = 'yes'));
    const redrawn = () => page.waitForFunction(() => (document.querySelector('#controls select[name=resolution]') as HTMLElement).dataset.old !== 'yes');
    await mark();
    await page.click('input[name=fastMath]');
    const help = page.locator('.field-help');
    expect(await help.isVisible()).toBe(true);
    expect(await help.textContent()).toBe(PARAMS.fastMath.help);
    // Right under its field.
    expect(await page.evaluate(() => document.querySelector('.field-help')!.previousElementSibling!.querySelector('input')!.name)).toBe('fastMath');
    // The tick is an edit: the form is drawn again, with the box still focused and its help still shown.
    await redrawn();
    expect(new URL(page.url()).searchParams.get('fastMath')).toBe('true');
    expect(await page.isChecked('input[name=fastMath]')).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('fastMath');
    expect(await help.isVisible()).toBe(true);
    // Tab goes on to the next field (the optimizer, whose label needs no help): the line goes.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('optimizer');
    expect(await page.isVisible('.field-help')).toBe(false);
    // A field with a help shows that one.
    await page.focus('input[name=seed]');
    expect(await page.textContent('.field-help')).toBe(PARAMS.seed.help);
    // Tab out of an edited field: the redraw leaves the focus where Tab put it (the "…" that opens the tolerances).
    await mapDone(page);
    await mark();
    await page.fill('input[name=steps]', '30');
    await page.keyboard.press('Tab');
    await redrawn();
    expect(new URL(page.url()).searchParams.get('steps')).toBe('30');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SUMMARY');
    // "…" opened stays open through an edit of what it holds.
    await page.keyboard.press('Enter');
    await mark();
    await page.fill('input[name=tol]', '1e-4');
    await page.keyboard.press('Tab');
    await redrawn();
    expect(await page.evaluate(() => (document.querySelector('#controls details') as HTMLDetailsElement).open)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('bound');
    await page.close();
  });

  it('the axis titles keep their meaning where the map is wide enough', async () => {
    const page = await openAt('?objective=mlp&width=2&dataPoints=4&inputLr=0.01:100:8:log&outputLr=0.01:100:8:log&steps=20&engine=cpu', { width: 1280, height: 900 });
    const map = await mapDone(page);
    expect(map.yTitleDrawn).toBe(map.yTitle);
    expect(map.xTitleDrawn).toBe('inputLr (input-layer learning rate), log scale');
    await page.close();
  });

  it('in Chinese, the analytic boundary of a decay map is named in Chinese too', async () => {
    const page = await open('?lr=0.05:3:40&decayRate=0.8:1:30&schedule=exponential&decaySteps=1&steps=200&lang=zh');
    await mapDone(page);
    const legend = (await page.textContent('#legend'))!;
    expect(legend).toContain('逃逸');
    expect(legend).not.toMatch(/escape|reaches the bound/);
    await page.close();
  });
});

describeBrowser('the engine choice', () => {
  /** The header badge's figures once an engine is in use. */
  async function badge(page: Page): Promise<Record<string, string>> {
    await page.waitForSelector('#engine[data-engine=gpu], #engine[data-engine=cpu]', { timeout: 120_000 });
    return page.evaluate(() => ({ ...(document.querySelector('#engine') as HTMLElement).dataset, text: document.querySelector('#engine')!.textContent! }));
  }
  const name = { gpu: 'WebGPU', cpu: 'CPU \\(Web Worker\\)' } as const;

  it('auto times both engines once, keeps the faster per adapter, says which and by how much, and a second visit measures nothing', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const search = '?lr=0.05:3:40&curvature=0.25:4:30&steps=100';
      const page = await open(search, context);
      const first = await badge(page);
      expect(first.auto).toBe('measured');
      const gpuMs = Number(first.gpuMs);
      const cpuMs = Number(first.cpuMs);
      expect(gpuMs).toBeGreaterThan(0);
      expect(cpuMs).toBeGreaterThan(0);
      // The faster of the two figures the page reports, whichever it is on this machine.
      const faster = gpuMs < cpuMs ? 'gpu' : 'cpu';
      const slower = faster === 'gpu' ? 'cpu' : 'gpu';
      expect(first.engine).toBe(faster);
      // By how much, or "about as fast" where the lead is under 15 % (the timing's noise).
      const ratio = Math.max(gpuMs, cpuMs) / Math.min(gpuMs, cpuMs);
      const said = new RegExp(`^Engine: ${name[faster]} \\(auto: (?:(\\d+\\.\\d)× faster than|about as fast as) ${name[slower]} on this adapter\\) · adapter: \\S`).exec(first.text!);
      expect(said, first.text).not.toBeNull();
      const tie = said![1] === undefined;
      if (tie) expect(ratio).toBeLessThan(1.16);
      else {
        expect(ratio).toBeGreaterThan(1.14);
        expect(Number(said![1])).toBeCloseTo(ratio, 0);
      }
      expect((await mapDone(page)).engine).toBe(faster);
      // Remembered under the adapter WebGPU describes.
      const { stored, info } = await page.evaluate(async () => {
        const adapter = (await navigator.gpu.requestAdapter())!;
        const keys = Object.keys(localStorage).filter((key) => key.startsWith('lrscope.engine-choice:'));
        return { stored: keys.map((key) => [key, JSON.parse(localStorage.getItem(key)!)] as const), info: { vendor: adapter.info.vendor, architecture: adapter.info.architecture } };
      });
      expect(stored).toHaveLength(1);
      expect(stored[0]![0]).toContain(`${info.vendor}|${info.architecture}|`);
      expect(stored[0]![1].choice).toBe(faster);

      // A second visit, in Chinese: the same choice and figures, nothing timed.
      const again = await open(`${search}&lang=zh`, context);
      const second = await badge(again);
      expect(second.auto).toBe('remembered');
      expect([second.engine, second.gpuMs, second.cpuMs]).toEqual([faster, first.gpuMs, first.cpuMs]);
      const other = faster === 'gpu' ? 'CPU（Web Worker）' : 'WebGPU';
      const why = tie ? `与 ${other} 速度相当` : `比 ${other} 快 ${said![1]!.replace('.', '\\.')} 倍`;
      expect(second.text).toMatch(new RegExp(`^引擎: ${faster === 'gpu' ? 'WebGPU' : 'CPU（Web Worker）'} \\(自动：在此适配器上${why}（上次访问时测得）\\)`));
      expect((await mapDone(again)).engine).toBe(faster);

      // Measure again: both engines are timed anew.
      expect(await again.isVisible('#remeasure')).toBe(true);
      await again.click('#remeasure');
      await again.waitForSelector('#engine[data-auto=measured]', { timeout: 120_000 });
      const third = await badge(again);
      expect(third.engine).toBe(Number(third.gpuMs) < Number(third.cpuMs) ? 'gpu' : 'cpu');
      expect((await mapDone(again)).engine).toBe(third.engine);
    } finally {
      await context.close();
    }
  });

  it('on WebGPU the page tunes the kernel shape once the first map is drawn, says so, and a later visit takes the shape it kept', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const search = '?lr=0.05:3:16&curvature=0.5:4:12&steps=50&engine=gpu';
      const page = await open(search, context);
      expect((await mapDone(page)).engine).toBe('gpu');
      await page.waitForSelector('#engine[data-kernel-source=tuned]', { timeout: 180_000 });
      const tuned = await badge(page);
      expect(tuned.text).toMatch(new RegExp(`· kernel\u00a0${tuned.kernel!.replace('x', '\u00a0×\u00a0')} \\(tuned for this adapter\\)$`));
      const stored = await page.evaluate(() => {
        const keys = Object.keys(localStorage).filter((key) => key.startsWith('lrscope.kernel-shape:'));
        return keys.map((key) => JSON.parse(localStorage.getItem(key)!) as { lanes: number; workgroupSize: number; measured: { mSteps: number }[] });
      });
      expect(stored).toHaveLength(1);
      expect(`${stored[0]!.lanes}x${stored[0]!.workgroupSize}`).toBe(tuned.kernel);
      expect(stored[0]!.measured).toHaveLength(3);
      for (const m of stored[0]!.measured) expect(m.mSteps).toBeGreaterThan(0);

      // A later visit: the kept shape, nothing tuned, and the same map.
      const again = await open(search, context);
      await mapDone(again);
      const second = await badge(again);
      expect([second.kernel, second.kernelSource]).toEqual([tuned.kernel, 'remembered']);
      expect(second.text).toMatch(/\(tuned on an earlier visit\)$/);
      // The legend's regime shares: the same map in the default shape and the tuned one.
      expect(await again.textContent('#legend')).toBe(await page.textContent('#legend'));
    } finally {
      await context.close();
    }
  });

  it('engine=gpu and engine=cpu force an engine and time neither', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      let page: Page | undefined;
      for (const engine of ['gpu', 'cpu'] as const) {
        page = await open(`?lr=0.05:3:16&curvature=0.5:4:12&steps=50&engine=${engine}`, context);
        const data = await badge(page);
        expect(data.engine).toBe(engine);
        expect(data.auto).toBeUndefined();
        expect(data.text).toMatch(new RegExp(`^Engine: ${name[engine]} · adapter: \\S`));
        expect(await page.isHidden('#remeasure')).toBe(true);
        expect((await mapDone(page)).engine).toBe(engine);
      }
      // The workers, named in the page's language.
      expect((await badge(page!)).text).toMatch(/ · adapter: CPU reference in \d+ Web Workers?$/);
      await page!.click('#lang');
      await page!.waitForFunction(() => document.documentElement.lang === 'zh-CN');
      expect((await badge(page!)).text).toMatch(/ · 适配器: \d+ 个 Web Worker 中的 CPU 参考引擎$/);
      expect(await page!.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('lrscope.engine-choice:')).length)).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describeBrowser('the page without WebGPU', () => {
  it('says so, and computes the map on the CPU engine in a worker', async () => {
    const plain = await launchBrowser({ webgpu: false });
    try {
      const page = await open('', plain);
      const data = await mapDone(page);
      expect(data.engine).toBe('cpu');
      expect(data.grid).toBe('128x128');
      expect(await page.isVisible('#webgpu-notice')).toBe(true);
      expect(await page.textContent('#webgpu-notice')).toMatch(/WebGPU is not available in this browser.*CPU engine in a Web Worker.*--enable-unsafe-webgpu/s);
      expect(await page.textContent('#engine')).toMatch(/CPU \(Web Worker\)/);
    } finally {
      await plain.close();
    }
  });
});

describeBrowser('the bifurcation view', () => {
  const chart = '#bifurcation-view .bifurcation-chart';

  async function diagramDone(page: Page): Promise<Record<string, string>> {
    await page.waitForSelector(`${chart}[data-state=done]`, { timeout: 240_000 });
    return page.evaluate((selector) => ({ ...(document.querySelector(selector) as HTMLElement).dataset }) as Record<string, string>, chart);
  }

  /** Diverged learning rates of a spec, by the CPU reference engine. */
  async function divergedCount(input: SpecInput, tail: number): Promise<number> {
    const result = await bifurcation(parseSpec(input), new CpuEngine(), { tail });
    return result.escapeStep.filter((s) => s >= 0).length;
  }

  it('plots the coordinate of w that the URL names', async () => {
    const page = await open('?view=bifurcation&objective=double-well&w0=[1.1,-0.9]&lr=0.1:0.2:20&steps=400&tail=8&component=1');
    const data = await diagramDone(page);
    expect(data.points).toBe(String(20 * 8));
    expect(await page.inputValue('#bifurcation-view input[name=component]')).toBe('1');
    expect(data.component).toBe('1');
    // Every iterate of w[1] sits in the well at −1 (lr below 0.25 is stable there).
    const result = await bifurcation(parseSpec({ objective: 'double-well', w0: '[1.1,-0.9]', lr: '0.1:0.2:20', steps: '400' }), new CpuEngine(), { tail: 8, component: 1 });
    for (const w of result.iterates) expect(w).toBeCloseTo(-1, 4);
    await page.close();
  });

  it("draws the double well's cascade: a dot for every settled iterate, the period along lr", async () => {
    const search = '?objective=double-well&w0=1.1&lr=0.2:0.42:200&steps=1000&view=bifurcation&engine=gpu&tail=64';
    const page = await open(search);
    const data = await diagramDone(page);
    expect(data.engine).toBe('gpu');
    expect(data.lrs).toBe('200');
    const diverged = await divergedCount({ objective: 'double-well', w0: '1.1', lr: '0.2:0.42:200', steps: '1000' }, 64);
    expect(Number(data.diverged)).toBe(diverged);
    expect(Number(data.points)).toBe((200 - diverged) * 64);
    const bands = await page.textContent('#bifurcation-view .bands');
    expect(bands).toMatch(/lr 0\.2–0\.24\d* \(\d+ lrs\): period 1/);
    expect(bands).toMatch(/: period 2/);
    expect(bands).toMatch(/: period 4/);
    // The dots are on the canvas: count pixels of their blue inside the chart.
    const dots = await page.evaluate((selector) => {
      const canvas = document.querySelector(`${selector} canvas`) as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 2]! > data[i]! + 40 && data[i + 3]! > 0) n++;
      return n;
    }, chart);
    expect(dots).toBeGreaterThan(1000);
    expect(await page.getAttribute('#tab-bifurcation', 'aria-selected')).toBe('true');
    expect(decodeURIComponent(new URL(page.url()).search)).toBe(search);
    await page.close();
  });

  it('the hardening quartic preset shows its typed-in loss, and Draw keeps it', async () => {
    const page = await open('?view=bifurcation');
    await diagramDone(page);
    await page.selectOption('select[name=bif-preset]', 'hardening-quartic');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('loss') !== null, undefined, { timeout: 60_000 });
    await diagramDone(page);
    expect(await page.inputValue('select[name=bif-preset]')).toBe('hardening-quartic');
    expect(await page.inputValue('#bifurcation-view select[name=objective]')).toBe('expression');
    expect(await page.inputValue('#bifurcation-view input[name=loss]')).toBe('w^4/4 + w^2/2');
    await page.fill('#bifurcation-view input[name=steps]', '900');
    await page.click('#bifurcation-view button[type=submit]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('steps') === '900', undefined, { timeout: 60_000 });
    const params = new URL(page.url()).searchParams;
    expect([params.get('objective'), params.get('loss')]).toEqual(['expression', 'w^4/4 + w^2/2']);
    await page.close();
  });

  it('shades the learning rates that diverge (the hardening quartic has no period doubling)', async () => {
    const page = await open(`?view=bifurcation&loss=${encodeURIComponent('w^4/4+w^2/2')}&lr=1.5:3:200&tail=64&w0=0.5`);
    const data = await diagramDone(page);
    const diverged = await divergedCount({ loss: 'w^4/4+w^2/2', lr: '1.5:3:200', w0: '0.5' }, 64);
    expect(diverged).toBeGreaterThan(150); // every lr above 2/(1 + 0.5²) = 1.6
    expect(Number(data.diverged)).toBe(diverged);
    expect(Number(data.points)).toBe((200 - diverged) * 64);
    expect(await page.textContent('#bifurcation-view .bands')).toMatch(/: diverged/);
    await page.close();
  });

  it('explains input it cannot use and falls back to its own default', async () => {
    const page = await open('?view=bifurcation&lr=0.1:0.5:8&w0=1,2');
    const data = await diagramDone(page);
    expect(await page.textContent('#url-error')).toContain('w0: is swept, but a bifurcation diagram sweeps only lr');
    expect(data.lrs).toBe('400');
    await page.fill('#bifurcation-view input[name=tail]', '5000');
    await page.click('#bifurcation-view button[type=submit]');
    expect(await page.textContent('#bifurcation-view .form-error')).toMatch(/^tail: "5000" is not a whole number from 1 to 1000; expected/);
    await page.close();
  });

  it('opens from the nav, and its form redraws with a new tail', async () => {
    const page = await open('?lr=0.05:3:16&curvature=0.5:4:16&steps=50');
    await mapDone(page);
    await page.click('#tab-bifurcation');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('view') === 'bifurcation');
    await diagramDone(page);
    expect(new URL(page.url()).searchParams.get('objective')).toBe('double-well');
    await page.fill('#bifurcation-view input[name=tail]', '32');
    await page.click('#bifurcation-view button[type=submit]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('tail') === '32');
    const data = await diagramDone(page);
    expect(Number(data.points) % 32).toBe(0);
    // Back to the map: its own spec again.
    await page.click('#tab-map');
    await mapDone(page);
    expect(new URL(page.url()).searchParams.get('curvature')).toBe('0.5:4:16');
    await page.close();
  });
});

describeBrowser('accessibility', () => {
  const search = '?lr=0.05:3:40&decayRate=0.8:1:30&schedule=exponential&decaySteps=1&steps=200';

  /** axe-core's violations on the page as it is now, one line each. */
  async function axeViolations(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
    return page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[]; failureSummary?: string }> }> }> } }).axe;
      const { violations } = await axe.run(document, { resultTypes: ['violations'] });
      return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 6).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`).join('\n')}`);
    });
  }

  /** Form fields named only by a title or a placeholder: neither a <label> nor aria-labelledby with text. */
  async function unlabelled(page: Page): Promise<string[]> {
    return page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea'))
        .filter((field) => {
          const labels = Array.from(field.labels ?? []).map((l) => l.textContent!.trim());
          const by = (field.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)?.textContent?.trim() ?? '');
          return ![...labels, ...by].some((text) => text !== '');
        })
        .map((field) => `${field.tagName.toLowerCase()}[name=${field.getAttribute('name')}]`),
    );
  }

  it('every form field of the map, the lesson and the bifurcation view has a label or aria-labelledby', async () => {
    const page = await open('?lr=0.05:3:16&curvature=0.5:4:12&steps=50&optimizer=adam&objective=expression');
    await mapDone(page);
    expect(await unlabelled(page)).toEqual([]);
    await page.click('#tab-lesson');
    await page.waitForSelector('#lesson[data-state=done]', { timeout: 120_000 });
    expect(await unlabelled(page)).toEqual([]);
    await page.click('#tab-bifurcation');
    await page.waitForSelector('#bifurcation-view .bifurcation-chart[data-state=done]', { timeout: 240_000 });
    expect(await unlabelled(page)).toEqual([]);
    // The accessible names say what the field is.
    await page.click('#tab-map');
    await mapDone(page);
    expect(await page.getByRole('combobox', { name: 'x axis' }).inputValue()).toBe('lr');
    expect(await page.getByRole('combobox', { name: 'Presets' }).count()).toBe(1);
    await page.close();
  });

  it("the lesson's printed logs are named regions that Tab reaches and the arrow keys scroll", async () => {
    const page = await open('?view=lesson');
    await page.waitForSelector('#lesson[data-state=done]', { timeout: 120_000 });
    const reached = new Set<string>();
    for (let n = 0; n < 60 && reached.size < 3; n++) {
      await page.keyboard.press('Tab');
      const example = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.example);
      if (example) reached.add(example);
    }
    expect([...reached].sort()).toEqual(['1', '2', '3']);
    const log = page.getByRole('region', { name: /Learning rate 1: bounces forever/ });
    expect(await log.getAttribute('data-example')).toBe('2');
    await log.focus();
    const before = await log.evaluate((e) => e.scrollTop);
    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => document.querySelector('pre[data-example="2"]')!.scrollTop > 0);
    expect(await log.evaluate((e) => e.scrollTop)).toBeGreaterThan(before);
    await page.close();
  });

  it('the nav is an ARIA tab list: arrows, Home and End move between its tabs, Enter opens one, each tab controls its panel', async () => {
    const page = await open('?lr=0.05:3:16&curvature=0.5:4:12&steps=50');
    await mapDone(page);
    const tabs = ['tab-map', 'tab-lesson', 'tab-bifurcation'];
    for (const id of tabs) {
      const panel = await page.getAttribute(`#${id}`, 'aria-controls');
      expect(await page.getAttribute(`#${panel}`, 'role')).toBe('tabpanel');
      expect(await page.getAttribute(`#${panel}`, 'aria-labelledby')).toBe(id);
    }
    const tabIndices = () => page.evaluate((ids) => ids.map((id) => document.getElementById(id)!.tabIndex), tabs);
    expect(await tabIndices()).toEqual([0, -1, -1]);
    const focused = () => page.evaluate(() => document.activeElement?.id);
    await page.focus('#tab-map');
    const moves: Array<[string, string]> = [
      ['ArrowRight', 'tab-lesson'],
      ['ArrowRight', 'tab-bifurcation'],
      ['ArrowRight', 'tab-map'],
      ['ArrowLeft', 'tab-bifurcation'],
      ['Home', 'tab-map'],
      ['End', 'tab-bifurcation'],
      ['ArrowLeft', 'tab-lesson'],
    ];
    for (const [key, id] of moves) {
      await page.keyboard.press(key);
      expect(await focused(), `${key} → ${id}`).toBe(id);
    }
    // Moving the focus opens nothing; Enter does.
    expect(new URL(page.url()).searchParams.get('view')).toBeNull();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lesson[data-state=done]', { timeout: 120_000 });
    expect(new URL(page.url()).searchParams.get('view')).toBe('lesson');
    expect(await page.getAttribute('#tab-lesson', 'aria-selected')).toBe('true');
    expect(await tabIndices()).toEqual([-1, 0, -1]);
    // Tab leaves the list at once (one tab stop), and Shift+Tab from there comes back to the selected tab.
    await page.keyboard.press('Tab');
    expect(tabs).not.toContain(await focused());
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('tab-lesson');
    await page.close();
  });

  it('the no-WebGPU notice is two short lines that a button dismisses for the session', async () => {
    const plain = await launchBrowser({ webgpu: false });
    try {
      const page = await open('?lr=0.05:3:16&curvature=0.5:4:12&steps=50', plain);
      await page.waitForSelector('#webgpu-notice:not([hidden])');
      const shown = await page.locator('#webgpu-notice').innerText();
      expect(shown).toMatch(/^WebGPU is not available in this browser\. navigator\.gpu .*CPU engine/);
      expect(shown.length).toBeLessThan(250);
      // How to turn it on is one click away.
      await page.click('#webgpu-notice summary');
      expect(await page.locator('#webgpu-notice').innerText()).toContain('--enable-unsafe-webgpu');
      await page.getByRole('button', { name: 'Dismiss' }).click();
      expect(await page.isHidden('#webgpu-notice')).toBe(true);
      await page.reload();
      await page.waitForSelector('#engine[data-engine=cpu]');
      expect(await page.isHidden('#webgpu-notice')).toBe(true);
      // A new session shows it again.
      const fresh = await open('?lr=0.05:3:16&curvature=0.5:4:12&steps=50', plain);
      await fresh.waitForSelector('#webgpu-notice:not([hidden])');
      expect(await axeViolations(fresh)).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('the map is a keyboard widget: arrows move a cursor that the hover line reads aloud, Enter picks, + and − zoom around it', async () => {
    const input = { lr: '0.05:3:40', decayRate: '0.8:1:30', schedule: 'exponential', decaySteps: '1', steps: '200' } as const;
    const regimes = await cpuRegimes(input);
    const [lrs, rates] = parseSpec(input).axes.map((a) => a.values as number[]) as [number[], number[]];
    const page = await open(search);
    const data = await mapDone(page);
    // Its text alternative: what it maps, and how many trajectories ended in each regime.
    expect(await page.getAttribute('#map', 'role')).toBe('application');
    expect(await page.getAttribute('#map', 'aria-label')).toBe('Stability map of decayRate (decay rate) against lr (learning rate)');
    const summary = await page.textContent(`#${await page.getAttribute('#map', 'aria-describedby')}`);
    for (const regime of REGIMES) expect(summary).toContain(`${regime} ${regimes.filter((r) => r === regime).length} (`);
    expect(summary).toMatch(/40 × 30 trajectories.*Enter shows the trajectory/);
    expect(await page.getAttribute('#hover', 'aria-live')).toBe('polite');

    // Tab reaches the map; the cursor starts in the middle cell.
    await page.focus('#export-json');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('map');
    const hover = () => page.textContent('#hover');
    const reads = (i: number, j: number) => `lr = ${formatNumber(lrs[i]!)} · decayRate = ${formatNumber(rates[j]!)} · ${regimes[j * 40 + i]}`;
    expect(await hover()).toContain(reads(20, 15));
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowUp', 'ArrowUp']) await page.keyboard.press(key);
    expect(await hover()).toContain(reads(23, 17));
    await page.keyboard.press('Shift+ArrowLeft'); // a tenth of 40 cells
    expect(await hover()).toContain(reads(19, 17));
    // The cursor is drawn: uPlot's crosshair on the cell's centre, and an outline around the cell.
    const centre = cellCenter(data, 19, 17, 40, 30, { x: 0, y: 0 });
    const crosshair = await page.evaluate(() => {
      const over = document.querySelector('#map .u-over')!.getBoundingClientRect();
      const x = document.querySelector('#map .u-cursor-x')!.getBoundingClientRect();
      const y = document.querySelector('#map .u-cursor-y')!.getBoundingClientRect();
      const canvas = document.querySelector('#map canvas')!.getBoundingClientRect();
      return { x: x.left - canvas.left, y: y.top - canvas.top, overLeft: over.left - canvas.left };
    });
    expect(Math.abs(crosshair.x - centre.x)).toBeLessThan(1.5);
    expect(Math.abs(crosshair.y - centre.y)).toBeLessThan(1.5);
    const outlined = async () => {
      const cellWidth = Number(data.plotWidth) / 40;
      // The pixels across the cell's left edge (which may fall between two pixels, where the lines are antialiased).
      const row = await page.evaluate(
        ({ x, y }) => Array.from((document.querySelector('#map canvas') as HTMLCanvasElement).getContext('2d')!.getImageData(Math.round(x) - 3, Math.round(y), 7, 1).data),
        { x: centre.x - cellWidth / 2, y: centre.y },
      );
      const sums = Array.from({ length: 7 }, (_, k) => row[4 * k]! + row[4 * k + 1]! + row[4 * k + 2]!);
      return sums.some((sum) => sum < 60 || sum > 720); // black or white, where the map has a regime's colour
    };
    expect(await outlined()).toBe(true);

    // Enter picks the cell as a click does.
    await page.keyboard.press('Enter');
    await page.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    expect(new URL(page.url()).searchParams.get('pick')).toBe('19,17');

    // + zooms in around the cursor: half the span on each axis, the cursor's values inside.
    const edges = (param: string) => {
      const [start, stop, count] = new URL(page.url()).searchParams.get(param)!.split(':').map(Number) as [number, number, number];
      const half = (stop - start) / (count - 1) / 2;
      return [start - half, stop + half] as const;
    };
    const [lr0, lr1] = edges('lr');
    const [d0, d1] = edges('decayRate');
    await page.keyboard.press('+');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('lr') !== '0.05:3:40');
    await mapDone(page);
    const [zl0, zl1] = edges('lr');
    const [zd0, zd1] = edges('decayRate');
    expect(zl1 - zl0).toBeCloseTo((lr1 - lr0) / 2, 9);
    expect(zd1 - zd0).toBeCloseTo((d1 - d0) / 2, 9);
    expect(lrs[19]!).toBeGreaterThan(zl0);
    expect(lrs[19]!).toBeLessThan(zl1);
    expect(rates[17]!).toBeGreaterThan(zd0);
    expect(rates[17]!).toBeLessThan(zd1);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('map');
    expect(await page.isEnabled('#back')).toBe(true);
    // − zooms out around it, no further than the view the zooms started from: here, all of it.
    await page.keyboard.press('-');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('lr') === '0.05:3:40', undefined, { timeout: 60_000 });
    expect(new URL(page.url()).searchParams.get('decayRate')).toBe('0.8:1:30');
    await page.close();
  });

  it('the trajectory charts, the bifurcation diagram and the lesson\'s chart are images named by what they plot', async () => {
    const input = { lr: '0.05:3:40', decayRate: '0.8:1:30', schedule: 'exponential', decaySteps: '1', steps: '200' } as const;
    const [trace] = await new CpuEngine().trace(parseSpec(input), [15 * 40 + 20]);
    const page = await open(`${search}&pick=20,15`);
    await mapDone(page);
    await page.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    const labels = await page.$$eval('#charts .uplot', (charts) => charts.map((c) => [c.getAttribute('role'), c.getAttribute('aria-label')]));
    expect(labels.map(([role]) => role)).toEqual(['img', 'img', 'img']);
    const [w, loss, lr] = labels.map(([, label]) => label!);
    // w from w₀ = 5 to where the CPU engine's trajectory ends, after 200 steps.
    const end = /^w against step \(updates done\): picked 5 → (\S+) \(200\); neighbour 5 → \S+ \(\d+\)$/.exec(w!);
    expect(end, w).not.toBeNull();
    const last = trace!.w[200]!;
    expect(Math.abs(Number(end![1]) - last)).toBeLessThanOrEqual(Math.abs(last) * 1e-3);
    expect(loss).toMatch(/^loss \(log scale\) against step \(updates done\): picked /);
    // lr from the picked cell's learning rate.
    const start = /^lr \(next step\) against step \(updates done\): picked (\S+) → /.exec(lr!);
    expect(start, lr).not.toBeNull();
    const lr0 = parseSpec(input).axes[0]!.values[20] as number;
    expect(Math.abs(Number(start![1]) - lr0)).toBeLessThanOrEqual(lr0 * 1e-3);

    await page.goto(`${preview.url}?view=bifurcation&objective=double-well&w0=1.1&lr=0.2:0.42:60&steps=300&tail=16`);
    await page.waitForSelector('#bifurcation-view .bifurcation-chart[data-state=done]', { timeout: 120_000 });
    const chart = page.locator('#bifurcation-view .bifurcation-chart');
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.getAttribute('aria-label')).toMatch(/^Bifurcation diagram: w .* against lr \(learning rate\)$/);
    expect(await page.textContent(`#${await chart.getAttribute('aria-describedby')}`)).toMatch(/period 1/);

    await page.goto(`${preview.url}?view=lesson`);
    await page.waitForSelector('#lesson[data-state=done]', { timeout: 120_000 });
    const lesson = page.locator('.lesson-chart');
    expect(await lesson.getAttribute('role')).toBe('img');
    // lr = 1 on (w + 1)² from 5: w bounces between 5 and −7, and is 5 after 40 steps.
    expect(await lesson.getAttribute('aria-label')).toBe('w against step (updates done), lr = 1.00: w 5 → 5 (40)');
    expect(await page.textContent(`#${await lesson.getAttribute('aria-describedby')}`)).toMatch(/\|1 − lr·L\| = 1/);
    await page.close();
  });

  it('axe finds no violations on the map (with a picked trajectory), the lesson and the bifurcation view', async () => {
    const page = await open('?lr=0.05:3:40&decayRate=0.8:1:30&schedule=exponential&decaySteps=1&steps=200&pick=20,15');
    await mapDone(page);
    await page.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    const found: Record<string, string[]> = { map: await axeViolations(page) };
    await page.click('#tab-lesson');
    await page.waitForSelector('#lesson[data-state=done]', { timeout: 120_000 });
    found.lesson = await axeViolations(page);
    await page.goto(`${preview.url}?view=bifurcation&objective=double-well&w0=1.1&lr=0.2:0.42:60&steps=300&tail=16`);
    await page.waitForSelector('#bifurcation-view .bifurcation-chart[data-state=done]', { timeout: 120_000 });
    found.bifurcation = await axeViolations(page);
    const report = Object.entries(found).flatMap(([view, lines]) => lines.map((line) => `${view}: ${line}`));
    expect(report, report.join('\n')).toEqual([]);
    await page.close();
  });
});

describeBrowser('trainability, as Sohl-Dickstein (2024) draws it', () => {
  /** The canvas pixels at the centres of cells of an nx × ny map. */
  async function cellPixels(page: Page, data: Record<string, string>, cells: ReadonlyArray<readonly [number, number]>, nx: number, ny: number): Promise<number[][]> {
    return page.evaluate(
      ({ points, dpr }) => {
        const ctx = (document.querySelector('#map canvas') as HTMLCanvasElement).getContext('2d')!;
        return points.map(([x, y]) => Array.from(ctx.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data).slice(0, 3));
      },
      {
        points: cells.map(([i, j]) => {
          const c = cellCenter(data, i, j, nx, ny, { x: 0, y: 0 });
          return [c.x, c.y] as const;
        }),
        dpr: await page.evaluate(() => devicePixelRatio),
      },
    );
  }

  const network = '?inputLr=0.01:100:8:log&outputLr=0.01:100:8:log&objective=mlp&width=2&dataPoints=4&steps=40';

  it("names a network's regimes by its loss (trained … not learning), a quadratic's by its gradient (stalled)", async () => {
    const page = await open(network);
    await mapDone(page);
    const legend = (await page.textContent('#legend'))!;
    for (const name of ['trained', 'decreasing', 'oscillating', 'not learning', 'diverged']) expect(legend).toContain(name);
    expect(legend).not.toContain('stalled');
    expect(await page.textContent('#legend li[data-regime=stalled] .meaning')).toContain('above half its start');
    await page.goto(`${preview.url}?lr=0.1:1.5:8&curvature=0.5:2:8&steps=20`);
    await mapDone(page);
    expect(await page.textContent('#legend')).toContain('stalled');
    expect(await page.textContent('#legend')).not.toContain('not learning');
    await page.close();
  });

  it("fast math: a box among the network's fields, named in the caption where the map runs on WebGPU, not on the CPU workers", async () => {
    const page = await open(`${network}&fastMath=true&engine=gpu`);
    await mapDone(page);
    expect(await page.isChecked('#controls input[name=fastMath]')).toBe(true);
    expect(await page.textContent('#map-caption')).toContain('fast math');
    await page.goto(`${preview.url}${network}&fastMath=true&engine=cpu`);
    await mapDone(page);
    expect(await page.textContent('#map-caption')).not.toContain('fast math');
    await page.close();
  });

  it('color=trainability paints each run by its score: blue-green where GD on ½·L·(w − c)² trains (lr·L < 2), red where not', async () => {
    // lr·L over the grid: 0.075 … 3.375, none at 1 or 2 (where a step lands on the minimum or keeps its distance).
    const page = await open('?lr=0.25:3.75:8&curvature=0.3:0.9:4&steps=30&color=trainability');
    const data = await mapDone(page);
    const params = new URL(page.url()).searchParams;
    expect(params.get('trainability')).toBe('true'); // a quadratic records its loss only when asked
    expect(params.get('color')).toBe('trainability');
    const cells = Array.from({ length: 32 }, (_, n) => [n % 8, Math.floor(n / 8)] as const);
    const pixels = await cellPixels(page, data, cells, 8, 4);
    // Each pixel is a colour of matplotlib's Spectral, on its blue side (t > 0) where the run trains, on its red side where not.
    const ramp = Array.from({ length: 2001 }, (_, k) => ({ t: -1 + k / 1000, rgb: spectralColor(-1 + k / 1000) }));
    cells.forEach(([i, j], n) => {
      const rgb = pixels[n]!;
      const lrL = (0.25 + 0.5 * i) * (0.3 + 0.2 * j);
      const distance = (c: readonly number[]) => Math.hypot(...c.map((v, k) => v - rgb[k]!));
      const nearest = ramp.reduce((best, p) => (distance(p.rgb) < distance(best.rgb) ? p : best));
      expect(distance(nearest.rgb), `cell ${i},${j}: rgb(${rgb.join(',')}) is no colour of Spectral`).toBeLessThan(4);
      expect(nearest.t > 0, `cell ${i},${j} (lr·L = ${lrL}) has rgb(${rgb.join(',')}), Spectral at ${nearest.t}`).toBe(lrL < 2);
    });
    // The slowest run that trains ranks at the blue end.
    const [slowest] = await cellPixels(page, data, [[0, 0]], 8, 4);
    expect(slowest![2]).toBeGreaterThan(slowest![0]! + 40);
    // The legend: a labelled colour bar and the trainable share (lr·L < 2 in 17 of 32 cells).
    expect(await page.textContent('#legend .score-bar-labels')).toMatch(/trainable.*not trainable/);
    const trainable = cells.filter(([i, j]) => (0.25 + 0.5 * i) * (0.3 + 0.2 * j) < 2).length;
    expect(await page.textContent('#legend .trainable-share')).toContain(`${((100 * trainable) / 32).toFixed(1)}%`);
    expect(await page.textContent('#map-caption')).toContain('blue trainable');
    // Back to regimes from the control beside the legend, without computing again.
    await page.selectOption('#legend select[name=color]', 'regime');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('color'));
    expect(await page.isVisible('#legend li[data-regime=diverged]')).toBe(true);
    await page.close();
  });

  it('a bad color= names the parameter and its values, and the page still draws', async () => {
    const page = await open('?lr=0.1:1.5:8&curvature=0.5:2:8&steps=20&color=rainbow');
    await page.waitForSelector('#url-error:not([hidden])');
    expect(await page.isVisible('#map canvas')).toBe(true);
    expect(await page.textContent('#url-error')).toContain('color: "rainbow" is not a colouring; expected regime or trainability');
    await page.close();
  });

  it("the status line gives the paper's score-edge dimension where runs have scores", async () => {
    const page = await open(network);
    const data = await mapDone(page);
    const status = (await page.textContent('#status'))!;
    expect(status).toMatch(/boundary dimension|done/);
    expect(status).toMatch(/score-edge dimension (\d\.\d\d|—) \(median slope, as in the paper\)/);
    expect(data.scoreEdgeDimension).toBeDefined();
    if (data.scoreEdgeDimension === 'none') expect(await page.getAttribute('#status', 'title')).toMatch(/score-edge dimension: no dimension \(.+\)/);
    expect(await page.textContent('#map-note')).toContain('score-edge dimension');
    await page.goto(`${preview.url}?lr=0.1:1.5:8&curvature=0.5:2:8&steps=20`);
    await mapDone(page);
    expect(await page.textContent('#status')).not.toContain('score-edge');
    await page.close();
  });

  it("each of the paper's presets sets its network, grid and trainability colouring", async () => {
    // The CPU engine, so that closing the page stops the 64 × 64 × 500-step maps at once.
    const page = await open('?lr=0.1:1.5:8&curvature=0.5:2:8&steps=20&engine=cpu');
    await mapDone(page);
    const rates = '0.001:1000000:64:log';
    const expected: Record<string, Record<string, string>> = {
      'paper-tanh': { inputLr: rates, outputLr: rates, width: '16', dataPoints: '272' },
      'paper-relu': { inputLr: rates, outputLr: rates, activation: 'relu', width: '16', dataPoints: '272' },
      'paper-identity': { inputLr: rates, outputLr: rates, activation: 'identity', width: '16', dataPoints: '16' },
      'paper-minibatch': { inputLr: rates, outputLr: rates, minibatch: '16', width: '16', dataPoints: '272' },
      'paper-init': { initOffset: rates, lr: rates, width: '16', dataPoints: '272' },
    };
    for (const [id, keys] of Object.entries(expected)) {
      await page.selectOption('select[name=preset]', id);
      await page.waitForFunction((v) => new URL(location.href).searchParams.get(v[0]!) === v[1], Object.entries(keys)[0]!);
      const params = new URL(page.url()).searchParams;
      for (const [key, value] of Object.entries(keys)) expect(params.get(key), `${id}: ${key}`).toBe(value);
      expect(params.get('objective')).toBe('mlp');
      expect(params.get('steps')).toBe('500');
      expect(params.get('color')).toBe('trainability');
      if (id === 'paper-init') expect(params.has('inputLr') || params.has('outputLr')).toBe(false);
      if (id === 'paper-tanh') {
        // The progress bar shows while the expensive map computes, and the menu says where the preset comes from.
        expect(await page.isVisible('#progress')).toBe(true);
        expect(await page.textContent('.preset-hint')).toContain('Sohl-Dickstein (2024)');
      }
    }
    await page.close();
  });
});
