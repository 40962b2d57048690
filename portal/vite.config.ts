import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The portal's build. `npm run build` writes portal/dist, which `berth serve` serves at `/`.
 * `npx vite portal` starts the dev server, which forwards the API, the token endpoint and the
 * registry to a running Berth (BERTH_URL, by default the address `berth serve` listens on).
 */
const berth = process.env.BERTH_URL ?? 'http://127.0.0.1:5000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One bundle of React, Mantine and the charts is about 1 MB before gzip; it is served once
    // and cached as an immutable asset.
    chunkSizeWarningLimit: 2048,
  },
  server: {
    proxy: {
      '/api': berth,
      '/auth': berth,
      '/v2': berth,
    },
  },
});
