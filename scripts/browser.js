// Debian's Chromium driven by playwright-core (which gives each launch a new,
// empty profile), and the built page served by `vite preview`: shared by the
// browser tests and `npm run screenshot`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where Chromium is: CHROMIUM_PATH, or Debian's package. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable() {
  return existsSync(CHROMIUM);
}

/**
 * Headless Chromium. With `webgpu`, WebGPU is enabled (a software adapter
 * where there is no GPU); without it, navigator.gpu finds no adapter.
 */
export async function launchBrowser({ webgpu = true } = {}) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(webgpu ? ['--enable-unsafe-webgpu'] : []),
    ],
  });
}

/** Builds the page (unless `build: false`) and serves it on a free port of 127.0.0.1. */
export async function startPreview({ build = true } = {}) {
  const vite = await import('vite');
  const root = new URL('..', import.meta.url).pathname;
  const configFile = join(root, 'vite.config.ts');
  if (build || !existsSync(join(root, 'dist', 'web', 'index.html'))) {
    await vite.build({ configFile, logLevel: 'warn' });
  }
  const server = await vite.preview({ configFile, preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const address = server.httpServer.address();
  return { url: `http://127.0.0.1:${address.port}/`, close: () => new Promise((resolve) => server.httpServer.close(resolve)) };
}
