#!/usr/bin/env node
// `npm run screenshot`: the README's screenshots, taken in headless Chromium
// with WebGPU: docs/screenshot.png (the map with a picked trajectory) and
// docs/lesson.png (the lesson view).
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
  console.log(`wrote ${out}screenshot.png and ${out}lesson.png`);
} finally {
  await browser.close();
  await preview.close();
}
