/**
 * The CI templates (lib/grading/ci/), run here as their CI would run them,
 * as far as a local shell can: a student's repository (a fresh student
 * edition with some labs solved, committed), the template's `run:` steps (or
 * GitLab's `script:`) in order, with the instructor's workbook fetched from
 * this checkout's last commit. Steps that are actions (`uses:`: checkout,
 * setup-node, the Classroom reporter, artifact upload) are not run: the
 * checkout is made by hand, the rest is listed as untested.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { labPath, selectLabs } from '../catalog.ts';
import { paths } from '../paths.ts';
import { writeStudentEdition } from './student-edition.ts';

export interface StepRun {
  name: string;
  ok: boolean;
  seconds: number;
  /** The end of its output, when it failed. */
  tail?: string;
}

export interface TemplateRun {
  template: 'github' | 'gitlab';
  steps: StepRun[];
  /** Actions not run here. */
  untested: string[];
  /** Report files the run left in the work folder. */
  reports: Record<string, string>;
}

export interface TemplateOptions {
  /** A folder of its own for this run. */
  work: string;
  /** The cluster the grade runs on (ETCD_ENDPOINTS). */
  endpoints: string[];
  /** Labs solved in the student's repository and graded, e.g. ['01', '02']. */
  labs: string[];
  log?: (line: string) => void;
}

/** A student's repository: the student edition, the given labs solved, committed. */
function studentRepository(dir: string, labs: string[]): void {
  writeStudentEdition(dir);
  for (const lab of selectLabs(labs)) copyFileSync(labPath(lab, paths.solutions), labPath(lab, join(dir, 'labs')));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=student', '-c', 'user.email=student@example.invalid', 'commit', '-qm', 'my labs');
}

function step(name: string, script: string, cwd: string, env: NodeJS.ProcessEnv, log: (line: string) => void): StepRun {
  const began = performance.now();
  const run = spawnSync('bash', ['-e', '-c', script], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - began) / 1000;
  const ok = run.status === 0;
  log(`${ok ? '✔' : '✖'} ${name} (${seconds.toFixed(1)} s)`);
  return { name, ok, seconds, tail: ok ? undefined : `${run.stdout}${run.stderr}`.trim().split('\n').slice(-15).join('\n') };
}

function baseEnv(options: TemplateOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: 'true',
    NO_COLOR: '1',
    ETCD_ENDPOINTS: options.endpoints.join(','),
    WORKBOOK_REPO: `file://${paths.root}`,
    WORKBOOK_REF: 'HEAD',
    LABS: options.labs.join(' '),
    npm_config_prefer_offline: 'true',
  };
}

export function runGithubTemplate(options: TemplateOptions): TemplateRun {
  const log = options.log ?? (() => {});
  const workflow = parse(readFileSync(join(paths.root, 'lib', 'grading', 'ci', 'github-classroom.yml'), 'utf8')) as {
    env: Record<string, string>;
    jobs: Record<string, { steps: { name?: string; uses?: string; run?: string; 'working-directory'?: string; env?: Record<string, string>; with?: Record<string, string> }[] }>;
  };
  mkdirSync(options.work, { recursive: true });
  const checkout = workflow.jobs[Object.keys(workflow.jobs)[0]].steps.find((s) => s.uses?.startsWith('actions/checkout'));
  studentRepository(join(options.work, checkout?.with?.path ?? '.'), options.labs);
  const output = join(options.work, 'github-output');
  writeFileSync(output, '');
  const env = { ...process.env, ...workflow.env, ...baseEnv(options), GITHUB_OUTPUT: output };
  const run: TemplateRun = { template: 'github', steps: [], untested: [], reports: {} };
  for (const s of Object.values(workflow.jobs)[0].steps) {
    if (!s.run) {
      if (!s.uses?.startsWith('actions/checkout')) run.untested.push(s.uses ?? s.name ?? '?');
      continue;
    }
    const done = step(s.name ?? s.run.split('\n')[0], s.run, join(options.work, s['working-directory'] ?? '.'), { ...env, ...s.env }, log);
    run.steps.push(done);
    if (!done.ok) return run;
  }
  for (const file of ['results.json', 'junit.xml', 'classroom.json']) if (existsSync(join(options.work, file))) run.reports[file] = readFileSync(join(options.work, file), 'utf8');
  run.reports['github-output'] = readFileSync(output, 'utf8');
  return run;
}

export function runGitlabTemplate(options: TemplateOptions): TemplateRun {
  const log = options.log ?? (() => {});
  const pipeline = parse(readFileSync(join(paths.root, 'lib', 'grading', 'ci', 'gitlab-ci.yml'), 'utf8')) as Record<string, { variables: Record<string, string>; script: string[]; image?: string }>;
  const job = pipeline.grade;
  const project = join(options.work, 'project');
  mkdirSync(options.work, { recursive: true });
  studentRepository(project, options.labs);
  const env = { ...process.env, ...job.variables, ...baseEnv(options), CI_PROJECT_DIR: project, WORKBOOK_DIR: join(options.work, 'workbook') };
  const run: TemplateRun = { template: 'gitlab', steps: [], untested: [`image ${job.image}`, 'artifacts:reports:junit'], reports: {} };
  // GitLab runs a job's script lines in one shell, from the project's folder.
  run.steps.push(step('script', job.script.join('\n'), project, env, log));
  for (const file of ['results.json', 'junit.xml']) if (existsSync(join(project, file))) run.reports[file] = readFileSync(join(project, file), 'utf8');
  return run;
}
