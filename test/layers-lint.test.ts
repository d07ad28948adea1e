/**
 * The layer rules of eslint.config.js fire: small files placed in src/ folders (linted in memory, never written)
 * import across layers, and the project's own lint configuration must reject exactly the wrong-way ones.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
// The files do not exist, so the type-aware rules (which need them in the TypeScript project) are switched off.
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });

/** The messages of the import rule for `code` linted as if it were the file `filePath`. */
async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  const messages = result!.messages;
  const fatal = messages.filter((message) => message.fatal === true);
  expect(fatal, 'the probe file must parse').toEqual([]);
  return messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

const probe = (...specifiers: string[]): string =>
  specifiers.map((specifier, index) => `import * as imported${index} from '${specifier}';\n`).join('') +
  `export const all = [${specifiers.map((_, index) => `imported${index}`).join(', ')}];\n`;

describe('lint: the layers of src/', () => {
  it('rejects an import up the layers (core importing the engine)', async () => {
    const errors = await importErrors('src/core/probe.ts', probe('../engine/run-task.js'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('src/core may import only from nothing of ours');
  });

  it('rejects a type-only import and a re-export up the layers as well', async () => {
    const code = "import type { Trace } from '../traces/schema.js';\nexport type { Trace };\nexport * from '../suite/bench.js';\n";
    expect(await importErrors('src/ledger/probe.ts', code)).toHaveLength(2);
  });

  it('rejects an import sideways on one floor (predictor importing traces)', async () => {
    expect(await importErrors('src/predictor/probe.ts', probe('../traces/load.js'))).toHaveLength(1);
  });

  it('sees through nested folders (traces/importers importing the suite runner)', async () => {
    const errors = await importErrors('src/traces/importers/probe.ts', probe('../../suite/bench.js', '../../io/read-text.js'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("'../../suite/bench.js'");
  });

  it('accepts imports down the layers', async () => {
    expect(await importErrors('src/engine/probe.ts', probe('../core/types.js', '../ledger/metrics.js', './run-task.js'))).toEqual([]);
    expect(await importErrors('src/suite/probe.ts', probe('../predictor/index.js', '../traces/load.js', '../io/read-text.js'))).toEqual([]);
    expect(await importErrors('src/envs/openagi/probe.ts', probe('../../agents/action-space.js', './modules.js'))).toEqual([]);
    expect(await importErrors('src/cli/commands/probe.ts', probe('../../report/sweep.js', '../../server/replay-server.js'))).toEqual([]);
  });

  it('rejects the reverse of an allowed same-floor direction (agents importing envs)', async () => {
    expect(await importErrors('src/agents/probe.ts', probe('../envs/openagi/modules.js'))).toHaveLength(1);
  });

  it('lets tests cross the layers', async () => {
    expect(await importErrors('src/core/probe.test.ts', probe('../engine/run-task.js', '../suite/replay-suite.js'))).toEqual([]);
  });
});

describe('lint: what the root entry may load', () => {
  it('rejects ai, @ai-sdk/*, node:http, vega and resvg in the folders the root entry is built from', async () => {
    const errors = await importErrors('src/suite/probe.ts', probe('ai', '@ai-sdk/openai', 'node:http', 'vega-lite', 'vega', '@resvg/resvg-js'));
    expect(errors).toHaveLength(6);
    expect(await importErrors('src/agents/probe.ts', probe('ai'))).toHaveLength(1);
  });

  it('allows them in the adapters', async () => {
    expect(await importErrors('src/agents/ai-sdk.ts', probe('ai'))).toEqual([]);
    expect(await importErrors('src/providers/probe.ts', probe('@ai-sdk/openai'))).toEqual([]);
    expect(await importErrors('src/server/probe.ts', probe('node:http'))).toEqual([]);
    expect(await importErrors('src/report/probe.ts', probe('vega-lite', '@resvg/resvg-js'))).toEqual([]);
  });

  it('rejects an adapter in src/index.ts and the CLI in any entry', async () => {
    expect(await importErrors('src/index.ts', probe('./server/replay-server.js', './agents/ai-sdk.js', './report/sweep.js', './core/types.js'))).toHaveLength(3);
    expect(await importErrors('src/report.ts', probe('./cli/main.js', './report/sweep.js'))).toHaveLength(1);
  });
});
