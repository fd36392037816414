import { readFileSync, rmSync } from 'node:fs';
import { defineConfig } from 'vite';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// dist is not emptied (dist/web is the page's build), so the last build's chunks, whose names carry
// hashes, and declarations (written by tsc after this build) are cleared here, lest they pile up and ship.
for (const folder of ['chunks', 'types']) rmSync(new URL(`./dist/${folder}`, import.meta.url), { recursive: true, force: true });

// Builds the Node library (dist/index.js) and the command line (dist/cli.js).
// Shaders are inlined through `?raw`; dependencies stay external.
export default defineConfig({
  publicDir: false,
  define: { __LRSCOPE_VERSION__: JSON.stringify(pkg.version) },
  // mathjs is bundled so that only its parser and derivative are loaded (the whole package takes over a second to import).
  ssr: { noExternal: ['mathjs', 'zod'] },
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist',
    emptyOutDir: false,
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: { index: 'src/index.ts', cli: 'src/cli/index.ts' },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
