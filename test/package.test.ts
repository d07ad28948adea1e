/**
 * The package as published: `npm pack` of the built tree, unpacked into the node_modules of a small TypeScript
 * consumer in a temporary folder. Offline: the package's dependencies are linked from this project's node_modules,
 * only those the packed package.json names (and theirs, transitively), and the consumer resolves through the links
 * as if they were its own (`preserveSymlinks`), so a type package the published declarations need but no
 * dependency provides is missing here too, as it would be after `npm install`.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const projectModules = realpathSync(join(root, 'node_modules'));
const tsc = join(projectModules, 'typescript', 'bin', 'tsc');

interface Manifest {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** The names a package depends on, as npm installs them (peers included, since npm 7). */
function dependencyNames(packageDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest;
  return Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies });
}

/** Where Node finds `name` from `packageDir`: the nearest node_modules up the tree, this project's last. */
function locate(name: string, packageDir: string): string | undefined {
  for (let dir = packageDir; dir.startsWith(projectModules); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  const topLevel = join(projectModules, name);
  return existsSync(join(topLevel, 'package.json')) ? topLevel : undefined;
}

/** Links into `modules` the packages `names` (as found from `fromDir`) and all they depend on. */
function linkPackages(names: readonly string[], fromDir: string, modules: string, linked: Set<string>): void {
  for (const name of names) {
    const found = locate(name, fromDir);
    // Not found: an optional dependency for another platform.
    if (found === undefined || linked.has(found)) continue;
    linked.add(found);
    if (found === join(projectModules, name)) {
      mkdirSync(dirname(join(modules, name)), { recursive: true });
      symlinkSync(found, join(modules, name), 'dir');
    }
    linkPackages(dependencyNames(found), found, modules, linked);
  }
}

const consumerSource = `
import { runTask, fixedPolicy, RealClock, createPolicy, parsePolicySpec, openAgiActionsMatch, isOpenAgiTerminal, type Agent, type TaskResult } from 'dsp-agent';
import { startReplayServer, type ReplayServer } from 'dsp-agent/server';
import { renderReport, loadResults, type ResultsFile } from 'dsp-agent/report';
import { expectileLoss, Featurizer, WorkerTrainer, type Trainer } from 'dsp-agent/predictor';

const terminate: Agent = async () => ({ action: 'TERMINATE' });
export async function plan(): Promise<TaskResult> {
  return runTask({ task: { id: 't', text: 'a task' }, approx: terminate, target: terminate, policy: fixedPolicy(2),
    clock: new RealClock(), actionsMatch: openAgiActionsMatch, isTerminal: isOpenAgiTerminal });
}
export const parts = [createPolicy, parsePolicySpec, startReplayServer, renderReport, loadResults, expectileLoss, Featurizer, WorkerTrainer];
export type Parts = [ReplayServer, ResultsFile, Trainer];
`;

const aiSdkConsumerSource = `
import { createAiSdkAgent, createLanguageModel, type AiSdkAgentOptions } from 'dsp-agent/ai-sdk';
import { openAgiActionSpace } from 'dsp-agent';

export const agent = (options: Omit<AiSdkAgentOptions, 'actionSpace'>) => createAiSdkAgent({ ...options, actionSpace: openAgiActionSpace });
export const model = createLanguageModel;
`;

const commonJsConsumerSource = `
import { runTask } from 'dsp-agent';
import { createAiSdkAgent } from 'dsp-agent/ai-sdk';
export const parts = [runTask, createAiSdkAgent];
`;

const typecheckTimeoutMs = 300_000;

let home: string;
let consumer: string;
let packedFiles: string[];

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'dsp-package-'));
  // --ignore-scripts packs dist as `npm test` built it (the prepack script would delete it under the other tests).
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', home], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' },
  });
  expect(pack.status, pack.stderr).toBe(0);
  const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packedFiles = packed!.files.map((file) => file.path);

  consumer = join(home, 'consumer');
  const installed = join(consumer, 'node_modules', 'dsp-agent');
  mkdirSync(installed, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', join(home, packed!.filename), '-C', installed, '--strip-components=1'], { encoding: 'utf8' });
  expect(untar.status, untar.stderr).toBe(0);
  const linked = new Set<string>();
  linkPackages(dependencyNames(installed), installed, join(consumer, 'node_modules'), linked);
  linkPackages(['@types/node'], consumer, join(consumer, 'node_modules'), linked);

  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(consumer, 'consumer.ts'), consumerSource);
  writeFileSync(join(consumer, 'ai-sdk-consumer.ts'), aiSdkConsumerSource);
  writeFileSync(join(consumer, 'common-js-consumer.cts'), commonJsConsumerSource);
}, 120_000);

afterAll(() => {
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
});

/** Type-checks the consumer with the published declarations checked too (`skipLibCheck: false`). */
async function typecheck(name: string, compilerOptions: Record<string, unknown>, files: string[]): Promise<string> {
  const config = {
    compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', types: ['node'], preserveSymlinks: true, ...compilerOptions },
    files,
  };
  writeFileSync(join(consumer, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
  try {
    await run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: consumer });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return `${stdout}${stderr}` || String(error);
  }
}

describe('the packed package', () => {
  it('holds the licence, the data notices, the suites and every entry with its types, and no sources or tests', () => {
    for (const file of ['LICENSE', 'README.md', 'package.json', 'data/README.md', 'data/suites/openagi-react.jsonl', 'data/examples/openagi-mini.jsonl', 'data/prior/dsp-prior.json', 'bin/dsp.js']) {
      expect(packedFiles).toContain(file);
    }
    for (const entry of ['index', 'ai-sdk', 'server', 'report', 'predictor']) {
      expect(packedFiles).toContain(`dist/${entry}.js`);
      expect(packedFiles).toContain(`dist/${entry}.d.ts`);
    }
    expect(packedFiles.filter((file) => file.startsWith('src/') || file.startsWith('test/') || /\.test\./.test(file))).toEqual([]);
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the dsp-agent authors\n/);
  });

  it("holds the trace files the README's examples read (--traces, --tasks-from)", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const named = [...readme.matchAll(/(?:--traces|--tasks-from) (\S+\.jsonl)/g)].map((match) => match[1]!);
    // A file an earlier example writes (`--record rec.jsonl`, `--out …`) is the user's, not the package's.
    const written = new Set([...readme.matchAll(/(?:--record|--out) (\S+\.jsonl)/g)].map((match) => match[1]!));
    expect(named).toContain('data/examples/openagi-mini.jsonl');
    for (const path of new Set(named)) if (!written.has(path)) expect(packedFiles).toContain(path);
  });

  // The AI SDK's own declarations need the DOM lib (fetch types such as HeadersInit); the other entries do not.
  // Each check reads every declaration file once (about 13 s of CPU each): generous timeouts for a busy machine.
  it.concurrent('compiles for an ESM consumer with moduleResolution node16, without the DOM lib (entries but ai-sdk)', async () => {
    expect(await typecheck('node16', { module: 'node16', moduleResolution: 'node16', lib: ['ES2023'] }, ['consumer.ts'])).toBe('');
  }, typecheckTimeoutMs);

  it.concurrent('compiles for ESM and CommonJS consumers with moduleResolution nodenext', async () => {
    const files = ['consumer.ts', 'ai-sdk-consumer.ts', 'common-js-consumer.cts'];
    expect(await typecheck('nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, files)).toBe('');
  }, typecheckTimeoutMs);

  it.concurrent('compiles for a consumer with moduleResolution bundler', async () => {
    const files = ['consumer.ts', 'ai-sdk-consumer.ts'];
    expect(await typecheck('bundler', { module: 'esnext', moduleResolution: 'bundler' }, files)).toBe('');
  }, typecheckTimeoutMs);

  it('loads every entry from the installed package, by import and by require', async () => {
    const entries = ['dsp-agent', 'dsp-agent/ai-sdk', 'dsp-agent/server', 'dsp-agent/report', 'dsp-agent/predictor'];
    const script = `for (const entry of ${JSON.stringify(entries)}) console.log(entry, Object.keys(await import(entry)).length > 0);`;
    const imported = await run(process.execPath, ['--input-type=module', '--eval', script], { cwd: consumer });
    expect(imported.stdout.trim().split('\n')).toEqual(entries.map((entry) => `${entry} true`));
    // Node 20.19 and later load an ES module through require.
    const required = await run(process.execPath, ['--eval', `console.log(typeof require('dsp-agent').runTask)`], { cwd: consumer });
    expect(required.stdout.trim()).toBe('function');
  });

  it('runs dsp from the installed package on its embedded suites', async () => {
    const { stdout } = await run(process.execPath, [join(consumer, 'node_modules', 'dsp-agent', 'bin', 'dsp.js'), 'suites'], { cwd: consumer });
    expect(stdout).toMatch(/^openagi-react\s+25\s+197\s+measured/m);
  });
});
