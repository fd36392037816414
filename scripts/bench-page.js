#!/usr/bin/env node
// `npm run bench:page`: how long the page takes to draw its first map in
// headless Chromium, on each engine, from a new profile. Without a GPU,
// Chromium's WebGPU adapter is SwiftShader (software), and `auto` measures
// both engines once, remembers the faster, and takes it from then on; on
// WebGPU the page also tunes its kernel's shape once, for later visits.
// Figures are this machine's, from this run: compare them with each other.
import { cpus } from 'node:os';
import { launchBrowser, startPreview } from './browser.js';

const preview = await startPreview();
const browser = await launchBrowser({ webgpu: true });

/** Milliseconds from navigation to the first map's `done`, the map's size, and what the engine badge says. */
async function firstMap(context, search, { waitForTuning = false } = {}) {
  const page = await context.newPage({ viewport: { width: 1280, height: 800 } });
  const started = performance.now();
  await page.goto(`${preview.url}${search}`);
  await page.waitForSelector('#map[data-state=done]', { timeout: 600_000 });
  const ms = performance.now() - started;
  const grid = await page.getAttribute('#map', 'data-grid');
  const engine = (await page.textContent('#engine'))?.trim() ?? '';
  // The page tunes the GPU kernel's shape once a map is drawn; the next visit uses it.
  if (waitForTuning) await page.waitForSelector('#engine[data-kernel-source=tuned]', { timeout: 600_000 });
  await page.close();
  return { ms, grid, engine };
}

try {
  console.log(`lrscope page bench · Chromium headless · ${cpus().length} CPU cores`);
  const rows = [];
  for (const [label, search] of [
    ['engine=gpu', '?engine=gpu'],
    ['engine=cpu', '?engine=cpu'],
    ['engine=auto', ''],
  ]) {
    // A new profile: nothing remembered. Then a second visit in the same profile.
    const context = await browser.newContext();
    rows.push([`${label}, first visit`, await firstMap(context, search, { waitForTuning: label === 'engine=gpu' })]);
    rows.push([`${label}, next visit`, await firstMap(context, search)]);
    await context.close();
  }
  console.log(`  ${'page'.padEnd(26)}${'first map'.padStart(10)}  ${'grid'.padEnd(9)} engine badge`);
  for (const [label, r] of rows) console.log(`  ${label.padEnd(26)}${`${(r.ms / 1000).toFixed(2)} s`.padStart(10)}  ${String(r.grid).padEnd(9)} ${r.engine}`);
} finally {
  await browser.close();
  await preview.close();
}
