import { defineConfig } from 'vitest/config';

// One config for the web app (root: web/) and the test runner.
export default defineConfig({
  root: 'web',
  publicDir: false,
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
  },
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/mathjs.ts'],
    // Dawn's native addon must live in a forked process, never in a worker thread.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
