/**
 * `dsp sweep`: replay suites under a grid of policies (dsp for every τ and β, fixed:K for a range of K,
 * sequential, the oracle) and print the frontier: the settings no other setting beats on both mean latency and
 * mean cost.
 */
import { Command, Option } from 'commander';
import { parsePolicySpec, type PolicySpec } from '../../policies/registry.js';
import { parseKRange, parseNumberList, renderSweepTable, sweepDefaults, sweepPolicies, sweepSummary } from '../../report/sweep.js';
import type { CliIo } from '../io.js';
import { checkPoliciesWithinKMax, listOption, parseWholeNumber } from '../options.js';
import {
  addReplayOptions,
  addSuiteOptions,
  defaultSuitesNote,
  parsePolicyOption,
  resolveReplay,
  runReplay,
  type ReplayOptionValues,
} from '../replay-command.js';

/** The sweep's own options; each list as typed (see `listOption`). */
interface SweepCommandOptions extends ReplayOptionValues {
  tau: string[];
  beta: string[];
  kmin: string[];
  value: string[];
  fixed: string[];
  dsp: boolean;
  also?: string[];
  format: 'table' | 'json';
}

/** Registers `dsp sweep`. */
export function registerSweepCommand(program: Command, io: CliIo): void {
  const command = program.command('sweep').description('replay suites under a grid of k-policies and print the latency–cost frontier');
  addSuiteOptions(command)
    .addOption(listOption('--tau <list...>', "expectile levels τ of the dsp points, in (0, 1); '' for none", sweepDefaults.tau))
    .addOption(listOption('--beta <list...>', "offsets β of the dsp points (whole numbers); '' for none", sweepDefaults.beta))
    .addOption(listOption('--kmin <list...>', 'smallest k of the dsp points once trained: 1 (the paper), 0 (may skip A), or both', sweepDefaults.kmin))
    .addOption(
      listOption('--value <list...>', "values of an hour of latency in USD of the economic dsp points (dsp:value=…); '' for none", sweepDefaults.value),
    )
    .addOption(
      listOption(
        '--fixed <ranges...>',
        "k of the fixed:K points: ranges and numbers such as 1-8 or 1,2,4 (the default stops at --k-max); '' for none",
        sweepDefaults.fixed,
      ),
    )
    .option('--no-dsp', 'leave out every dsp point (same as --tau \'\' --value \'\')')
    .addOption(listOption('--also <list...>', 'more policies to run beside the grid, e.g. additive'))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText(
      'after',
      '\nEvery list option takes commas, words or repeats: --tau 0.5,0.9 = --tau 0.5 0.9 = --tau 0.5 --tau 0.9.\n\n' +
        'Examples:\n' +
        '  $ dsp sweep --suite synthetic --tau 0.5,0.9 --beta 0,1 --value 10,100 --fixed 2,4 --quiet\n' +
        "  $ dsp sweep --suite synthetic --no-dsp --fixed 1-4 --also additive --k-max 4 --format json --quiet\n",
    );
  addReplayOptions(command).action(async (options: SweepCommandOptions) => {
    const also: PolicySpec[] = parsePolicyOption(options.also ?? [], '--also', { allowNone: true });
    const kMax = parseWholeNumber(options.kMax, '--k-max', 1);
    let fixed = parseKRange(joinList(options.fixed), '--fixed', kMax);
    // The default grid (1-8) stops at --k-max; K values the user names are checked against it below.
    if (command.getOptionValueSource('fixed') === 'default') fixed = fixed.filter((k) => k <= kMax);
    checkPoliciesWithinKMax(also, kMax, '--also');
    checkPoliciesWithinKMax(fixed.map((k) => parsePolicySpec(`fixed:${k}`)), kMax, '--fixed');
    const policies = sweepPolicies(
      {
        tau: parseNumberList(joinList(options.tau), '--tau'),
        beta: parseNumberList(joinList(options.beta), '--beta'),
        kmin: parseNumberList(joinList(options.kmin), '--kmin'),
        value: parseNumberList(joinList(options.value), '--value'),
        fixed,
        dsp: options.dsp,
        also,
      },
      { tau: '--tau', beta: '--beta', kmin: '--kmin', fixed: '--fixed', value: '--value' },
    );
    const request = resolveReplay(options, policies);
    await runReplay({
      io,
      command,
      options,
      request,
      render: (summaries) => {
        if (options.format === 'json') {
          const sweeps = summaries.map(sweepSummary);
          return `${JSON.stringify(sweeps.length === 1 ? sweeps[0] : sweeps, null, 2)}\n`;
        }
        return `${defaultSuitesNote(request, 'sweeping')}${summaries.map(renderSweepTable).join('\n\n')}\n`;
      },
    });
  });
}

/** A numeric list option's texts as one comma-separated list, its empty texts (`''`: none) left out. */
function joinList(texts: readonly string[]): string {
  return texts.filter((text) => text.trim() !== '').join(',');
}
