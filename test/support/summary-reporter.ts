/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after vitest's own summary, so
 * that CI (and anyone grepping a log) can read the result without knowing vitest's format.
 */
export default class SummaryReporter {
  onTestRunEnd(testModules: ReadonlyArray<{ children: { allTests(): Iterable<{ result(): { state: string } }> } }>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') failed++;
        else skipped++;
      }
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
