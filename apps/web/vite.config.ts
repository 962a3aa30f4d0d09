import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The customers' and admins' single-page app. Built into apps/web/dist and served by the API at `/`.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact({ prerender: { enabled: false } })],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  logLevel: 'warn',
});
