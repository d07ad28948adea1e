/**
 * A vitest reporter that ends the run with the plain line `N passed, N failed` (and `, N skipped`), which CI reads.
 * Test-file load errors and unhandled errors count as failures so that a broken file can never pass silently.
 * Tests skipped with a note (`context.skip(note)`, e.g. a missing browser) are listed above that line with the note,
 * once per file and note, so a skip never goes unexplained.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    /** Skip notes by `file: note`, with how many tests each skipped. */
    const notes = new Map<string, number>();
    for (const testModule of testModules) {
      if (testModule.errors().length > 0) failed += 1;
      for (const testCase of testModule.children.allTests()) {
        const result = testCase.result();
        if (result.state === 'passed') passed += 1;
        else if (result.state === 'failed') failed += 1;
        else {
          skipped += 1;
          if (result.state === 'skipped' && result.note !== undefined) {
            const key = `${testModule.relativeModuleId}: ${result.note}`;
            notes.set(key, (notes.get(key) ?? 0) + 1);
          }
        }
      }
    }
    failed += unhandledErrors.length;
    const noteLines = [...notes].map(([key, count]) => `skipped ${count} test${count === 1 ? '' : 's'} in ${key}\n`);
    process.stdout.write(`\n${noteLines.join('')}${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  }
}
