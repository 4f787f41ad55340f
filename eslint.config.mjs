// Lint configuration: typescript-eslint's recommended rules over every TypeScript source.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test/fixtures/**', 'test/artifacts/**', '.cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['server/**/*.ts'],
    ignores: ['server/cli/**'],
    rules: { 'no-console': 'error' },
  },
);
