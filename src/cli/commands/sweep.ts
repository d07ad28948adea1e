/**
 * `dsp sweep`: replay suites under a grid of policies (dsp for every τ and β, fixed:K for a range of K,
 * sequential, the oracle) and print the frontier: the settings no other setting beats on both mean latency and
 * mean cost.
 */
import { Command, Option } from 'commander';
import { combinedSummary, runBench, type BenchSummary } from '../../suite/bench.js';
import { selectSuites } from '../../suite/embedded-suites.js';
import { InvalidInputError, isInvalidInputError } from '../../core/errors.js';
import { builtinPriceTable } from '../../ledger/prices.js';
import { engineDefaults } from '../../engine/run-task.js';
import { loadPriceTable } from '../../io/price-file.js';
import { createPolicy } from '../../suite/create-policy.js';
import { parsePolicyList, type PolicySpec } from '../../policies/registry.js';
import { parseKRange, parseNumberList, renderSweepTable, sweepDefaults, sweepPolicies, sweepSummary } from '../../report/sweep.js';
import { parseWholeNumber } from '../options.js';
import { createProgress } from '../progress.js';
import { writeRequestedOutputs } from './report.js';

interface SweepCommandOptions {
  traces?: string[];
  suite?: string[];
  tau: string;
  beta: string;
  kmin: string;
  fixed: string;
  dsp: boolean;
  also?: string;
  format: 'table' | 'json';
  out?: string;
  report?: string;
  seed: string;
  prices?: string;
  kMax: string;
  maxSteps: string;
  quiet?: boolean;
}

/** Registers `dsp sweep`. */
export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('replay suites under a grid of k-policies and print the latency–cost frontier')
    .option('--traces <files...>', 'dsp-trace/1 JSONL files (grouped into suites by their "suite" field)')
    .option('--suite <names...>', 'embedded suites by name (see `dsp suites`); default: the default suites of `dsp bench`')
    .option('--tau <list>', "expectile levels τ of the dsp points, in (0, 1); '' for none", sweepDefaults.tau)
    .option('--beta <list>', "offsets β of the dsp points (whole numbers); '' for none", sweepDefaults.beta)
    .option('--kmin <list>', 'smallest k of the dsp points once trained: 1 (the paper), 0 (may skip A), or both', sweepDefaults.kmin)
    .option('--fixed <range>', "k of the fixed:K points: a range 1-8 or a list 1,2,4; '' for none", sweepDefaults.fixed)
    .option('--no-dsp', 'leave out every dsp point (same as --tau \'\')')
    .option('--also <list>', 'more policies to run beside the grid, comma-separated, e.g. additive')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--out <file>', 'write the results JSON (for `dsp report`) to this file')
    .option('--report <file>', 'write the HTML report to this file')
    .option('--seed <n>', 'seed of the synthetic suite and of learning policies', '1')
    .option('--prices <file>', 'JSON price table laid over the built-in one')
    .option('--k-max <n>', 'largest k any policy may choose', '8')
    .option('--max-steps <n>', 'step limit of the replayed runs; a plan that ended by its terminal action is replayed under it', String(engineDefaults.maxSteps))
    .option('--quiet', 'no progress output')
    .action(async (options: SweepCommandOptions, command: Command) => {
      const seed = parseWholeNumber(options.seed, '--seed', 0);
      const kMax = parseWholeNumber(options.kMax, '--k-max', 1);
      const maxSteps = parseWholeNumber(options.maxSteps, '--max-steps', 1);
      const also: PolicySpec[] = options.also === undefined || options.also.trim() === '' ? [] : parsePolicyList(options.also, '--also');
      const policies = sweepPolicies({
        tau: parseNumberList(options.tau, '--tau'),
        beta: parseNumberList(options.beta, '--beta'),
        kmin: parseNumberList(options.kmin, '--kmin'),
        fixed: parseKRange(options.fixed, '--fixed'),
        dsp: options.dsp,
        also,
      });
      const priceTable = options.prices === undefined ? builtinPriceTable : loadPriceTable(options.prices);
      const { suites, usedDefault } = selectSuites(options, seed);

      const progress = createProgress({ quiet: options.quiet });
      const results = await runBench({
        suites,
        policies,
        priceTable,
        kMax,
        maxSteps,
        buildPolicy: (spec, context) => {
          try {
            return createPolicy(spec, context, { seed });
          } catch (error) {
            if (spec.kind === 'dsp' && isInvalidInputError(error)) {
              throw new InvalidInputError(`${error.message} (sweep without the dsp points: --no-dsp)`, { source: spec.name, cause: error });
            }
            throw error;
          }
        },
        onProgress: (done, total, label) => progress.update(done, total, label),
      });
      progress.done();

      const summaries: BenchSummary[] = results.map((result) => result.summary);
      if (summaries.length > 1) summaries.push(combinedSummary(results, priceTable.name));
      const out = process.stdout;
      if (options.format === 'json') {
        const sweeps = summaries.map(sweepSummary);
        out.write(`${JSON.stringify(sweeps.length === 1 ? sweeps[0] : sweeps, null, 2)}\n`);
      } else {
        if (usedDefault) {
          out.write(`No --traces or --suite given: sweeping the default suites (${suites.map((suite) => suite.name).join(', ')}).\n\n`);
        }
        out.write(`${summaries.map(renderSweepTable).join('\n\n')}\n`);
      }

      await writeRequestedOutputs({ command, options, run: { results, suites, priceTable, kMax, seed }, progress });
    });
}
