import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  { files: ['**/*.js'], languageOptions: { globals: globals.node } },
  // The browser console: its sources run in the browser; its build config has a tsconfig of its own.
  { files: ['console/src/**/*.ts'], languageOptions: { globals: globals.browser } },
  // The console's single-file components: Vue's recommended rules, TypeScript in <script setup lang="ts">.
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['console/src/**/*.vue'],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['console/vite.config.ts'],
    languageOptions: {
      parserOptions: { projectService: false, project: './console/tsconfig.node.json' },
    },
  },
  prettier,
);
