import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The console is served by the API's own process under /console/ (src/console/serve-console.ts). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // Element Plus (imported per component) in a chunk of its own, Vue and the router in another: they change
    // less often than the pages, so browsers keep them cached across releases.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'element-plus',
              test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|dayjs|lodash)/,
            },
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router)[\\/]/ },
          ],
        },
      },
    },
  },
  // `vite` in console/ for development: the API runs on :3000 (npm start), the same origin through this proxy.
  server: {
    proxy: Object.fromEntries(
      ['/auth', '/tasks', '/admitted-items', '/applications', '/workflow-instances', '/health'].map((p) => [
        p,
        'http://localhost:3000',
      ]),
    ),
  },
});
