import vue from '@vitejs/plugin-vue';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The folder of a package as bpmn-js resolves it. The console's diagram bundles one BPMN model library, the one
 * bpmn-js uses (bpmn-moddle 10; the server's bpmn-engine keeps bpmn-moddle 9 at the top level of node_modules):
 * bpmn-auto-layout, which wants the same major, is pointed at bpmn-js's copy instead of its own nested one.
 */
function asBpmnJsResolves(name: string): string {
  const bpmnJs = createRequire(import.meta.url).resolve('bpmn-js/package.json');
  return dirname(createRequire(bpmnJs).resolve(`${name}/package.json`));
}

/** The console is served by the API's own process under /console/ (src/console/serve-console.ts). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [vue()],
  resolve: {
    alias: ['bpmn-moddle', 'min-dash'].map((name) => ({
      find: new RegExp(`^${name}$`),
      replacement: asBpmnJsResolves(name),
    })),
  },
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
            // bpmn-js and the layout, loaded only with the case page (a dynamic import in areas/cases.ts).
            {
              name: 'bpmn',
              test: /node_modules[\\/](bpmn-js|bpmn-auto-layout|bpmn-moddle|diagram-js|moddle|moddle-xml|saxen|min-dash|min-dom|tiny-svg|didi|ids|object-refs|path-intersection|inherits-browser|preact|htm|clsx|domify|@bpmn-io)[\\/]/,
            },
          ],
        },
      },
    },
  },
  // `vite` in console/ for development: the API runs on :3000 (npm start), the same origin through this proxy.
  // Everything outside /console/ is the API's (the dev server serves its own files under the base, /console/).
  server: {
    proxy: { '^/(?!console(/|$))': 'http://localhost:3000' },
  },
});
