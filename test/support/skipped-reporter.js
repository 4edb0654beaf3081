/**
 * Says which tests were skipped and why, after the run: a plain `npm test` (embedded PGlite)
 * skips what needs PostgreSQL (two instances on one database, row-lock races, a server that
 * freezes), and the child-process tests skip without a build.
 */
class SkippedReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      const names = file.testResults.filter((t) => t.status === 'pending' || t.status === 'skipped').map((t) => t.fullName);
      if (names.length) skipped.push({ file: file.testFilePath.slice(process.cwd().length + 1), names });
    }
    if (skipped.length === 0) return;
    const total = skipped.reduce((n, s) => n + s.names.length, 0);
    const lines = [`\n${total} tests skipped; each says what it needs (PostgreSQL: TEST_DATABASE_URL=postgres://...; the built service: npm run build):`];
    for (const { file, names } of skipped) lines.push(`  ${file}: ${names.length === 1 ? names[0] : `${names.length} tests`}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
}

module.exports = SkippedReporter;
