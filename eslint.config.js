// Lint with type-aware rules: floating and misused promises matter most in code full of cancellable calls.
// The layers of src/ (docs/architecture.md) are enforced here too: a wrong-way import fails `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The folders of src/, floor by floor from the bottom up (docs/architecture.md). A folder may import only from
 * the floors below its own: never up, never sideways. (io sits on a floor of its own under predictor and traces,
 * envs on one above agents, so that those may use io and envs may use agents' action spaces; live, which
 * assembles a live run from agents, providers and envs, above them.)
 */
const floors = [
  ['core'],
  ['ledger', 'policies'],
  ['engine'],
  ['io'],
  ['predictor', 'traces'],
  ['suite'],
  ['agents', 'providers'],
  ['envs'],
  ['live'],
  ['server', 'report'],
  ['cli'],
];
const allFolders = floors.flat();
const foldersBelow = (folder) => floors.slice(0, floors.findIndex((floor) => floor.includes(folder))).flat();

/** Packages the root entry `dsp-agent` must never load, so no folder under it may import them. */
const adapterPackages = ['ai', 'ai/*', '@ai-sdk/*', 'node:http', 'node:https', 'http', 'https', 'vega', 'vega-*', '@resvg/*'];
/** The folders the root entry (src/index.ts) is built from: nothing in them may import an adapter package. */
const rootFolders = ['core', 'ledger', 'policies', 'engine', 'io', 'predictor', 'traces', 'suite', 'agents', 'envs'];
/** The AI SDK adapters live in agents/ beside the strategies, but only the `dsp-agent/ai-sdk` entry loads them. */
const aiSdkAdapters = ['src/agents/ai-sdk.ts', 'src/agents/speculate.ts'];

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A `no-restricted-imports` pattern matching a relative import that reaches a folder of src/ not below `folder`. */
function layerPatterns(folder) {
  const below = foldersBelow(folder);
  const forbidden = allFolders.filter((other) => other !== folder && !below.includes(other));
  if (forbidden.length === 0) return [];
  return [{
    regex: `^(\\.\\./)+(${forbidden.map(escapeRegex).join('|')})(/|$)`,
    message: `src/${folder} may import only from ${below.join(', ') || 'nothing of ours'} (docs/architecture.md).`,
  }];
}

const adapterPattern = {
  group: adapterPackages,
  message: 'the root entry dsp-agent must not load ai, @ai-sdk/*, node:http, vega or resvg: put this in an adapter.',
};

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const layerRules = [
  ...allFolders.map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    ignores: ['src/**/*.test.ts'],
    rules: restrict([...layerPatterns(folder), ...(rootFolders.includes(folder) ? [adapterPattern] : [])]),
  })),
  { files: aiSdkAdapters, rules: restrict(layerPatterns('agents')) },
];

/** The entries: `src/index.ts` is the root (no adapters), `src/<name>.ts` is `dsp-agent/<name>`; none imports the CLI. */
const entryRules = [
  {
    files: ['src/index.ts'],
    rules: restrict([
      adapterPattern,
      {
        regex: '^\\./(providers|server|report|cli)(/|$)|^\\./agents/ai-sdk\\.js$',
        message: 'the root entry dsp-agent must not load an adapter: export it from its subpath entry (src/<name>.ts).',
      },
    ]),
  },
  {
    files: ['src/*.ts'],
    ignores: ['src/index.ts'],
    rules: restrict([{ regex: '^\\./cli(/|$)', message: 'a package entry must not load the CLI.' }]),
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', 'coverage/**', 'bin/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // An AbortSignal's reason is typed any: rejecting with it is how cancellation propagates.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  // Tests may cross layers (an engine test replays a suite): the layers bind the shipped code only.
  ...layerRules,
  ...entryRules,
  {
    // Long functions are hard to review; a function that must stay one piece says why in a comment above an
    // eslint-disable-next-line for this rule.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
);
