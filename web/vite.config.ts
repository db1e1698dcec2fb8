import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The dashboard is built into dist/web, which `segmentum serve` serves at `/`. It shares browser-safe modules with
 * the server (the segment language's parser and printer, the API schemas' types); this plugin fails the build if
 * anything pulls a Node built-in into the bundle, instead of shipping a page that breaks at run time.
 */
function noNodeBuiltins(): Plugin {
  return {
    name: 'segmentum:no-node-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source.startsWith('node:')) {
        throw new Error(`${importer ?? '?'} imports ${source}: the dashboard bundle must stay browser-safe.`);
      }
      return null;
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [noNodeBuiltins()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 900,
  },
  server: {
    // `npm run dev:web`: the dashboard with hot reload, talking to a `segmentum serve` on the default port.
    proxy: { '/api': 'http://localhost:8787', '/v1': 'http://localhost:8787' },
  },
});
