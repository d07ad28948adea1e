/**
 * `dsp sweep`: replay suites under a grid of policies (dsp for every τ and β, fixed:K for a range of K,
 * sequential, the oracle) and print the frontier: the settings no other setting beats on both mean latency and
 * mean cost.
 */
import { Command, Option } from 'commander';
import type { PolicySpec } from '../../policies/registry.js';
import { parseKRange, parseNumberList, renderSweepTable, sweepDefaults, sweepPolicies, sweepSummary } from '../../report/sweep.js';
import type { CliIo } from '../io.js';
import {
  addReplayOptions,
  addSuiteOptions,
  defaultSuitesNote,
  parsePolicyOption,
  resolveReplay,
  runReplay,
  type ReplayOptionValues,
} from '../replay-command.js';

interface SweepCommandOptions extends ReplayOptionValues {
  tau: string;
  beta: string;
  kmin: string;
  fixed: string;
  dsp: boolean;
  also?: string;
  format: 'table' | 'json';
}

/** Registers `dsp sweep`. */
export function registerSweepCommand(program: Command, io: CliIo): void {
  const command = program.command('sweep').description('replay suites under a grid of k-policies and print the latency–cost frontier');
  addSuiteOptions(command)
    .option('--tau <list>', "expectile levels τ of the dsp points, in (0, 1); '' for none", sweepDefaults.tau)
    .option('--beta <list>', "offsets β of the dsp points (whole numbers); '' for none", sweepDefaults.beta)
    .option('--kmin <list>', 'smallest k of the dsp points once trained: 1 (the paper), 0 (may skip A), or both', sweepDefaults.kmin)
    .option('--fixed <range>', "k of the fixed:K points: a range 1-8 or a list 1,2,4; '' for none", sweepDefaults.fixed)
    .option('--no-dsp', 'leave out every dsp point (same as --tau \'\')')
    .option('--also <list>', 'more policies to run beside the grid, comma-separated, e.g. additive')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'));
  addReplayOptions(command).action(async (options: SweepCommandOptions) => {
    const also: PolicySpec[] = options.also === undefined || options.also.trim() === '' ? [] : parsePolicyOption(options.also, '--also');
    const policies = sweepPolicies(
      {
        tau: parseNumberList(options.tau, '--tau'),
        beta: parseNumberList(options.beta, '--beta'),
        kmin: parseNumberList(options.kmin, '--kmin'),
        fixed: parseKRange(options.fixed, '--fixed'),
        dsp: options.dsp,
        also,
      },
      { tau: '--tau', beta: '--beta', kmin: '--kmin', fixed: '--fixed' },
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
