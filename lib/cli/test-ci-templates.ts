/**
 * `npm run test-ci-templates` (maintainers): the GitHub and GitLab grading
 * templates' steps, run in order with a local shell in a fresh student
 * edition, grading labs 01-03 on the local cluster (lib/dev/ci-templates.ts).
 * Needs this checkout's changes committed: the templates fetch the workbook.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '../cluster/cluster.ts';
import { type TemplateRun, runGithubTemplate, runGitlabTemplate } from '../dev/ci-templates.ts';
import { style } from '../terminal/style.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { runCli } from './main.ts';

const LABS = ['01', '02', '03'];

function verdict(run: TemplateRun): string[] {
  const problems = run.steps.filter((s) => !s.ok).map((s) => `step "${s.name}" failed:\n${s.tail}`);
  if (problems.length) return problems;
  const results = run.reports['results.json'];
  if (!results) return ['no results.json'];
  const tests = (JSON.parse(results) as { tests: { status: string }[] }).tests;
  if (!tests.length || tests.some((t) => t.status !== 'pass')) problems.push(`results.json: ${tests.filter((t) => t.status !== 'pass').length} of ${tests.length} checks did not pass (the labs were solved)`);
  if (!/<testsuites?[\s>]/.test(run.reports['junit.xml'] ?? '')) problems.push('no JUnit report');
  if (run.template === 'github') {
    if (!run.reports['classroom.json']) problems.push('no classroom.json');
    if (!/^result=\S+/m.test(run.reports['github-output'] ?? '')) problems.push('the grade step set no "result" output for the Classroom reporter');
  }
  return problems;
}

await runCli(async () => {
  const program = command('test-ci-templates', 'Run the CI grading templates\' steps with a local shell, in a fresh student edition').option('--keep', 'keep the work folder', false);
  parseArgv(program, process.argv.slice(2), 'usage: npm run test-ci-templates [-- --keep]');
  const { keep } = program.opts<{ keep: boolean }>();
  const cluster = LocalCluster.classroom();
  await cluster.start();
  const work = mkdtempSync(join(tmpdir(), 'ci-templates-'));
  let failed = 0;
  try {
    for (const [name, runTemplate] of [['github', runGithubTemplate], ['gitlab', runGitlabTemplate]] as const) {
      console.log(style.bold(`${name}: grading labs ${LABS.join(', ')} of a student edition`));
      const run = runTemplate({ work: join(work, name), endpoints: cluster.endpoints, labs: LABS, log: (line) => console.log(`  ${line}`) });
      const problems = verdict(run);
      for (const p of problems) console.log(style.red(`  ✖ ${p}`));
      if (!problems.length) console.log(style.green(`  ✔ reports as expected; not run here: ${run.untested.join(', ')}`));
      failed += problems.length ? 1 : 0;
    }
  } finally {
    if (keep) console.log(style.dim(`work folder kept: ${work}`));
    else rmSync(work, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
});
