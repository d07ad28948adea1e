/**
 * Makes the README picture `docs/report.png`: one suite replayed under the bench policies (the learned `dsp`
 * policy included), its four report charts in one image.
 *
 *   npx tsx scripts/readme-picture.ts [--suite NAME] [--policies LIST] [--out FILE] [--seed N] [--quiet]
 *
 * Default suite: the first default suite of `dsp bench` (openagi-react when the embedded suites are there,
 * else the synthetic one).
 */
import { mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { runBench } from '../src/suite/bench.js';
import { defaultSuites, embeddedSuite } from '../src/suite/embedded-suites.js';
import { createProgress } from '../src/cli/progress.js';
import { builtinPriceTable } from '../src/ledger/prices.js';
import { createPolicy } from '../src/suite/create-policy.js';
import { parsePolicyList } from '../src/policies/registry.js';
import { buildResults } from '../src/report/build-results.js';
import { renderOverviewSvg } from '../src/report/render-report.js';
import { pngSize, renderPng } from '../src/report/render-png.js';
import { writeFileAtomic } from '../src/io/atomic-write.js';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

interface PictureOptions {
  suite?: string;
  policies: string;
  out: string;
  seed: string;
  quiet?: boolean;
}

const program = new Command()
  .name('readme-picture')
  .description('make the README picture (docs/report.png) from a bench run')
  .option('--suite <name>', 'embedded suite or synthetic (default: the first default suite of dsp bench)')
  .option('--policies <list>', 'k-policies to replay', 'sequential,fixed:2,fixed:4,fixed:6,additive,dsp,oracle')
  .option('--out <file>', 'the PNG to write', `${repositoryRoot}docs/report.png`)
  .option('--seed <n>', 'seed of the synthetic suite and the dsp trainer', '1')
  .option('--quiet', 'no progress output')
  .action(async (options: PictureOptions) => {
    const seed = Number(options.seed);
    const suite = options.suite === undefined ? defaultSuites(seed)[0]! : embeddedSuite(options.suite, seed);
    const progress = createProgress(process.stderr, { quiet: options.quiet });
    const results = await runBench({
      suites: [suite],
      policies: parsePolicyList(options.policies),
      priceTable: builtinPriceTable,
      kMax: 8,
      // In-process training: the script runs under tsx, and the learned figures are the same either way.
      buildPolicy: (spec, context) => createPolicy(spec, context, { seed, trainer: 'in-process' }),
      onProgress: (done, total, label) => progress.update(done, total, label),
    });
    progress.done();
    const command = `npx tsx scripts/readme-picture.ts --suite ${suite.name} --policies ${options.policies} --seed ${seed}`;
    const file = buildResults({ results, suites: [suite], priceTable: builtinPriceTable, kMax: 8, seed, command, createdAt: new Date() });
    const png = renderPng(await renderOverviewSvg(file, 0), { scale: 1.5 });
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileAtomic(options.out, png);
    const size = pngSize(png)!;
    process.stdout.write(`wrote ${relative(process.cwd(), options.out) || options.out}: ${size.width}×${size.height} px, suite ${suite.name} (${suite.traces.length} tasks), frontier ${file.suites[0]!.frontier.join(', ')}\n`);
  });

await program.parseAsync(process.argv);
