// Builds the applet into dist/: static files only (the daemon's CSP is default-src 'self',
// so nothing inline and nothing fetched from elsewhere). The API routes documented in
// webapp-api/openapi.json are compiled in, so sections whose routes do not exist yet say so.
import { defineConfig } from 'vite';
import { readFileSync } from 'node:fs';

const openapi = JSON.parse(readFileSync(new URL('../webapp-api/openapi.json', import.meta.url)));
const routes = Object.entries(openapi.paths).flatMap(([path, ops]) =>
  Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));

export default defineConfig({
  define: { __API_ROUTES__: JSON.stringify(routes) },
  esbuild: { jsxFactory: 'h', jsxFragment: 'Fragment', jsxInject: "import { h, Fragment } from 'preact'" },
  // `npm run dev`: API calls go to a running daemon's plain-HTTP loopback listener
  // (admin.plain_http_listen), e.g. POSTERN_ADMIN_URL=http://127.0.0.1:2480.
  server: { proxy: { '/api': process.env.POSTERN_ADMIN_URL || 'http://127.0.0.1:2480' } },
  build: { outDir: 'dist', emptyOutDir: true, modulePreload: { polyfill: false }, assetsInlineLimit: 0 },
});
