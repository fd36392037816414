#!/usr/bin/env node
// `npm run screenshot`: the README's screenshots, taken in headless Chromium
// with WebGPU: docs/screenshot.png (the map with a picked trajectory),
// docs/lesson.png (the lesson view) and docs/bifurcation-view.png.
import { mkdirSync } from 'node:fs';
import { launchBrowser, startPreview } from './browser.js';

const out = new URL('../docs/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const preview = await startPreview();
const browser = await launchBrowser({ webgpu: true });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${preview.url}?lr=0:3:301&decayRate=0.8:1:201&schedule=exponential&decaySteps=1&steps=300&pick=150,150`);
  await page.waitForSelector('#map[data-state=done]', { timeout: 300_000 });
  await page.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${out}screenshot.png`, fullPage: true });
  await page.goto(`${preview.url}?view=lesson&lessonLr=1`);
  await page.waitForSelector('#lesson[data-state=done]', { timeout: 120_000 });
  await page.screenshot({ path: `${out}lesson.png`, fullPage: true });
  await page.goto(`${preview.url}?objective=double-well&w0=1.1&lr=0.2:0.42:600&steps=2000&view=bifurcation&tail=200`);
  await page.waitForSelector('#bifurcation-view .bifurcation-chart[data-state=done]', { timeout: 300_000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${out}bifurcation-view.png`, fullPage: true });
  console.log(`wrote ${out}screenshot.png, ${out}lesson.png and ${out}bifurcation-view.png`);
} finally {
  await browser.close();
  await preview.close();
}
