import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The predictor's parts, bottom to top (docs/predictor.md): a part imports only from its own folder and lower floors.
const floors: Record<string, number> = { maths: 1, training: 2, policy: 3, persistence: 4, evaluation: 4, '.': 5 };
// The parts that must stay free of Node's modules: the maths and the policy do no I/O.
const withoutNode = new Set(['maths', 'policy']);

const root = dirname(fileURLToPath(import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every module a file imports or re-exports, statically or dynamically. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
}

/** The part a file of the predictor belongs to. */
function partOf(path: string): string {
  const folder = relative(root, dirname(path)).split(/[\\/]/)[0]!;
  return folder === '' ? '.' : folder;
}

const files = sourceFiles(root);

describe('the predictor folders', () => {
  it('hold every source file in a known part', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files.map(partOf).filter((part) => floors[part] === undefined)).toEqual([]);
  });

  it('import only down the floors, never up or sideways', () => {
    const violations: string[] = [];
    for (const file of files) {
      const part = partOf(file);
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier);
        if (!target.startsWith(root)) continue;
        const targetPart = partOf(target);
        if (targetPart !== part && floors[targetPart]! >= floors[part]!) violations.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keep the maths and the policy free of node: modules', () => {
    const violations = files
      .filter((file) => withoutNode.has(partOf(file)))
      .flatMap((file) =>
        importsOf(file)
          .filter((specifier) => specifier.startsWith('node:'))
          .map((specifier) => `${relative(root, file)} imports ${specifier}`),
      );
    expect(violations).toEqual([]);
  });

  it('read every kind of import the checks rely on', () => {
    // The checks above read imports with this pattern; make sure it finds the kinds of import we write.
    expect(importsOf(join(root, 'training', 'worker-trainer.ts'))).toEqual(expect.arrayContaining(['node:worker_threads', './trainer.js']));
    expect(importsOf(join(root, 'index.ts'))).toEqual(expect.arrayContaining(['./maths/features.js', './create-dsp-policy.js']));
  });
});
