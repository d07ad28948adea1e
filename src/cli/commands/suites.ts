/** `dsp suites`: list the embedded suites. */
import type { Command } from 'commander';
import { availableSuiteNames, embeddedSuite } from '../../suite/embedded-suites.js';
import type { CliIo } from '../io.js';

export function registerSuitesCommand(program: Command, io: CliIo): void {
  program
    .command('suites')
    .description('list the embedded suites that `dsp bench --suite` can run')
    .action(() => {
      for (const name of availableSuiteNames()) {
        const suite = embeddedSuite(name, 1);
        const steps = suite.traces.reduce((sum, trace) => sum + trace.steps.length, 0);
        const timing = [...new Set(suite.traces.map((trace) => trace.timing))].join('+');
        io.stdout.write(`${name.padEnd(16)} ${String(suite.traces.length).padStart(4)} tasks ${String(steps).padStart(5)} steps  timing ${timing}  (${suite.source})\n`);
      }
    });
}
