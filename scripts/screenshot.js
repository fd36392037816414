#!/usr/bin/env node
// `npm run screenshot`: the README's screenshots, taken in headless Chromium
// with WebGPU: docs/screenshot.png (the map with a picked trajectory),
// docs/lesson.png (the lesson view), docs/bifurcation-view.png, and what a
// first visit shows on a laptop and on a phone: docs/first-visit-1280x800.png
// and docs/first-visit-390x844.png (the default map, then a picked point).
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
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ]) {
    const first = await browser.newPage({ viewport: { width, height } });
    await first.goto(preview.url);
    await first.waitForSelector('#map[data-state=done]', { timeout: 300_000 });
    await first.mouse.move(0, 0);
    await first.screenshot({ path: `${out}first-visit-${width}x${height}.png` });
    // A click on the map: the picked run's charts, beside the map or scrolled to.
    const box = await first.locator('#map .u-over').boundingBox();
    await first.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.45);
    await first.waitForSelector('#charts[data-state=done]', { timeout: 120_000 });
    await first.waitForTimeout(800);
    await first.screenshot({ path: `${out}first-visit-${width}x${height}-picked.png` });
    await first.close();
  }
  console.log(`wrote ${out}screenshot.png, ${out}lesson.png, ${out}bifurcation-view.png and the first-visit screenshots`);
} finally {
  await browser.close();
  await preview.close();
}
