/** `dsp bench`: replay suites under several k-policies and print one summary per suite. */
import { Command, Option } from 'commander';
import { combinedSummary, runBench, type BenchSummary } from '../../suite/bench.js';
import { selectSuites } from '../../suite/embedded-suites.js';
import { InvalidInputError } from '../../core/errors.js';
import { builtinPriceTable } from '../../ledger/prices.js';
import { engineDefaults } from '../../engine/run-task.js';
import { loadPriceTable } from '../../io/price-file.js';
import { parsePolicyList } from '../../policies/registry.js';
import { createPolicy, validatePolicySpecs } from '../../suite/create-policy.js';
import { createProgress } from '../progress.js';
import { renderCsv, renderTable } from '../render.js';
import { parseWholeNumber } from '../options.js';
import { writeRequestedOutputs } from './report.js';

export const defaultBenchPolicies = 'sequential,fixed:2,fixed:4,fixed:6,additive,dsp,dsp:tau=0.9,beta=2,oracle';

interface BenchCommandOptions {
  traces?: string[];
  suite?: string[];
  policies: string;
  format: 'table' | 'json' | 'csv';
  seed: string;
  prices?: string;
  kMax: string;
  maxSteps: string;
  quiet?: boolean;
  out?: string;
  report?: string;
  predictorState?: string;
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('replay recorded agent traces under several k-policies and compare latency and cost')
    .option('--traces <files...>', 'dsp-trace/1 JSONL files (grouped into suites by their "suite" field)')
    .option('--suite <names...>', 'embedded suites by name (see `dsp suites`), e.g. openagi-react synthetic')
    .option('--policies <list>', 'comma-separated k-policies', defaultBenchPolicies)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--seed <n>', 'seed of the synthetic suite and of learning policies', '1')
    .option('--prices <file>', 'JSON price table laid over the built-in one')
    .option('--k-max <n>', 'largest k any policy may choose', '8')
    .option('--max-steps <n>', 'step limit of the replayed runs; a plan that ended by its terminal action is replayed under it', String(engineDefaults.maxSteps))
    .option('--quiet', 'no progress output')
    .option('--out <file>', 'also write the results JSON (for `dsp report`) to this file')
    .option('--report <file>', 'also write a self-contained HTML report to this file')
    .option(
      '--predictor-state <file>',
      'the dsp policy loads its learned state from this file (when it exists) before each suite and saves it after',
    )
    .action(async (options: BenchCommandOptions, command: Command) => {
      const seed = parseWholeNumber(options.seed, '--seed', 0);
      const kMax = parseWholeNumber(options.kMax, '--k-max', 1);
      const maxSteps = parseWholeNumber(options.maxSteps, '--max-steps', 1);
      const policies = parsePolicyList(options.policies);
      validatePolicySpecs(policies);
      if (options.predictorState !== undefined && policies.filter((policy) => policy.kind === 'dsp').length !== 1) {
        throw new InvalidInputError('needs exactly one dsp policy in --policies (the one whose learning it keeps)', {
          source: '--predictor-state',
        });
      }
      const priceTable = options.prices === undefined ? builtinPriceTable : loadPriceTable(options.prices);
      const { suites, usedDefault } = selectSuites(options, seed);

      const progress = createProgress({ quiet: options.quiet });
      const results = await runBench({
        suites,
        policies,
        priceTable,
        kMax,
        maxSteps,
        buildPolicy: (spec, context) => createPolicy(spec, context, { seed, predictorStatePath: options.predictorState }),
        onProgress: (done, total, label) => progress.update(done, total, label),
      });
      progress.done();

      const summaries: BenchSummary[] = results.map((result) => result.summary);
      if (summaries.length > 1) summaries.push(combinedSummary(results, priceTable.name));
      const out = process.stdout;
      if (options.format === 'json') {
        out.write(`${JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2)}\n`);
      } else if (options.format === 'csv') {
        out.write(`${renderCsv(summaries)}\n`);
      } else {
        if (usedDefault) {
          out.write(`No --traces or --suite given: running the default suites (${suites.map((suite) => suite.name).join(', ')}).\n\n`);
        }
        out.write(`${summaries.map(renderTable).join('\n\n')}\n`);
      }

      await writeRequestedOutputs({ command, options, run: { results, suites, priceTable, kMax, seed }, progress });
    });
}
