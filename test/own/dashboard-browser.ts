/**
 * `npm run dashboard -- --faults` in Debian's headless Chromium, driven by
 * playwright-core (no browser download: the distribution's executable), as a
 * person would use it: load the page, put a key and see it on every member,
 * kill the leader and see a new one with a higher term, partition a member
 * away and see its copy go stale, heal and see it catch up; then Ctrl-C,
 * which must leave no member and no folder behind.
 *
 * Screenshots and figures (page load, fault-to-page latency, the server's
 * memory) go to test-artifacts/dashboard/: recorded, not asserted. Without a
 * browser the test is skipped with the reason; under CI it fails instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { expect, test } from 'vitest';
import { etcdProcessesMentioning } from '../../lib/cluster/processes.ts';
import { paths, projectRoot } from '../../lib/paths.ts';

/** Debian's packages: chromium-headless-shell (bookworm and later), else chromium. DASHBOARD_BROWSER names another. */
const CANDIDATES = [process.env.DASHBOARD_BROWSER, '/usr/bin/chromium-headless-shell', '/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium'];
const browserPath = CANDIDATES.find((p): p is string => !!p && existsSync(p));
const ARTIFACTS = join(projectRoot, 'test-artifacts', 'dashboard');
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const NO_BROWSER = `no Chromium found (looked for ${CANDIDATES.filter(Boolean).join(', ')}): apt-get install chromium-headless-shell (or set DASHBOARD_BROWSER)`;
if (!browserPath && !process.env.CI) console.warn(`skipping the dashboard's browser test: ${NO_BROWSER}`);

/** Waits for a line of the child's output that matches. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs / 1000} s for ${pattern}; the command printed:\n${text}`)), timeoutMs);
    const look = (d: Buffer) => {
      text += d.toString();
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
  });
}

function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kb / 1024);
}

/** The member table's text for one member and field. */
const cell = (page: Page, member: string, field: string) => page.locator(`tr[data-member="${member}"] [data-field="${field}"]`);

async function leaderOf(page: Page, members: string[]): Promise<{ name: string; term: number } | undefined> {
  for (const m of members) {
    if ((await cell(page, m, 'role').textContent())?.includes('leader')) return { name: m, term: Number(await cell(page, m, 'term').textContent()) };
  }
  return undefined;
}

/**
 * Clicks a button and returns, in the page's clock, how long until the text
 * (or a data- attribute) of `watch` reads `expected`: from the click, and
 * from the server's answer to it.
 */
async function timedClick(page: Page, button: string, watch: string, expected: string, attribute?: string): Promise<{ fromClick: number; fromAnswer: number }> {
  return page.evaluate(async ({ button, watch, expected, attribute }) => {
    const w = window as unknown as { fetch: typeof fetch };
    const original = w.fetch;
    let answeredAt: number | undefined;
    w.fetch = async (...args: Parameters<typeof fetch>) => {
      const response = await original(...args);
      answeredAt = performance.now();
      return response;
    };
    const read = () => {
      const element = document.querySelector(watch) as HTMLElement | null;
      return attribute ? element?.getAttribute(attribute) : element?.textContent;
    };
    const began = performance.now();
    (document.querySelector(button) as HTMLButtonElement).click();
    await new Promise<void>((resolve) => {
      const check = () => (read() === expected ? resolve() : setTimeout(check, 5));
      check();
    });
    const at = performance.now();
    w.fetch = original;
    return { fromClick: Math.round(at - began), fromAnswer: Math.round(at - (answeredAt ?? at)) };
  }, { button, watch, expected, attribute });
}

test.skipIf(!browserPath && !process.env.CI)('the dashboard in Chromium: put, see it on every member, kill the leader, partition, stale copy, heal, Ctrl-C', async () => {
  if (!browserPath) throw new Error(`CI must run the dashboard's browser test: ${NO_BROWSER} (.ci/run installs it)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const figures: Record<string, number | string> = { browser: browserPath };
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/dashboard.ts', '--faults', '--nodes', '3', '--port', '0'], {
    cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const profile = mkdtempSync(join(tmpdir(), 'etcd-lab-chromium-'));
  let context: BrowserContext | undefined;
  try {
    const [, url] = await waitForOutput(child, /with fault controls: (http:\/\/127\.0\.0\.1:\d+\/)/, 60_000);
    figures.serverRssBeforePageMiB = rssMiB(child.pid!);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: browserPath, headless: true, args: LAUNCH_ARGS, viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // The page reaches nothing but its own server.
    page.on('request', (r) => { if (!r.url().startsWith(url) && !r.url().startsWith('data:')) problems.push(`request to ${r.url()}`); });
    const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

    // Load: the page, then its first look at the members.
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { dashboard: { states: number } }).dashboard.states > 0, null, { timeout: 30_000 });
    const load = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { domContentLoaded: Math.round(nav.domContentLoadedEventEnd), load: Math.round(nav.loadEventEnd), firstState: Math.round((window as unknown as { dashboard: { firstStateAt: number } }).dashboard.firstStateAt) };
    });
    Object.assign(figures, { pageDomContentLoadedMs: load.domContentLoaded, pageLoadMs: load.load, pageFirstStateMs: load.firstState });
    const members = ['n1', 'n2', 'n3'];
    await expect.poll(() => leaderOf(page, members), { timeout: 30_000 }).toBeDefined();
    for (const m of members) await expect.poll(() => cell(page, m, 'process').textContent()).toBe('up');

    // Put a key: the console's message, and every member's own copy of it.
    await page.fill('#key', 'greeting');
    await page.fill('#value', 'hello');
    await page.click('#put');
    await expect.poll(() => page.locator('#key-result').textContent()).toMatch(/✔ greeting = "hello" at revision \d+ \(via n\d\)/);
    for (const m of members) {
      await expect.poll(() => page.locator(`td.copy[data-key="greeting"][data-member="${m}"]`).getAttribute('data-value'), { timeout: 10_000 }).toBe('hello');
    }
    await expect.poll(() => page.locator('#agreement').textContent()).toMatch(/3 of 3 members hold the same data/);
    await expect.poll(() => page.locator('#event-log li.entry').first().textContent()).toMatch(/put greeting = "hello"/);
    await shot('1-put');

    // Kill the leader: the row says down at once, a new leader with a higher term follows.
    const before = (await leaderOf(page, members))!;
    const killedAt = Date.now();
    const kill = await timedClick(page, `button[data-action="kill"][data-member="${before.name}"]`, `tr[data-member="${before.name}"] [data-field="process"]`, 'down');
    Object.assign(figures, { killToPageMs: kill.fromClick, killAnswerToPageMs: kill.fromAnswer });
    await expect.poll(async () => {
      const now = await leaderOf(page, members);
      return !!now && now.name !== before.name && now.term > before.term;
    }, { timeout: 30_000 }).toBe(true);
    figures.killToNewLeaderShownMs = Date.now() - killedAt;
    const after = (await leaderOf(page, members))!;
    expect(after.term).toBeGreaterThan(before.term);
    await expect.poll(() => page.locator('#fault-result').textContent()).toBe(`✔ killed ${before.name} (SIGKILL)`);
    await page.waitForTimeout(1500); // a little of the new term on the timeline
    await shot('2-leader-killed');

    await page.click(`button[data-action="restart"][data-member="${before.name}"]`);
    await expect.poll(() => cell(page, before.name, 'process').textContent(), { timeout: 30_000 }).toBe('up');

    // Partition a follower away from the others, and write on the majority side.
    const lone = members.find((m) => m !== after.name)!;
    for (const m of members) await page.click(`.side-pick[data-member="${m}"] button[data-side="${m === lone ? 'B' : 'A'}"]`);
    await page.click('#partition');
    await expect.poll(() => cell(page, lone, 'network').textContent()).toBe('isolated');
    await page.selectOption('#via', after.name);
    await page.fill('#value', 'hello again');
    await page.click('#put');
    await expect.poll(() => page.locator('#key-result').textContent(), { timeout: 15_000 }).toMatch(new RegExp(`✔ greeting = "hello again" at revision \\d+ \\(via ${after.name}\\)`));
    const loneCopy = page.locator(`td.copy[data-key="greeting"][data-member="${lone}"]`);
    await expect.poll(() => page.locator(`td.copy[data-key="greeting"][data-member="${after.name}"]`).getAttribute('data-value'), { timeout: 10_000 }).toBe('hello again');
    expect(await loneCopy.getAttribute('data-value')).toBe('hello');
    await expect.poll(() => loneCopy.getAttribute('data-stale')).toBe('true');
    await expect.poll(() => page.locator('#agreement').textContent()).toMatch(new RegExp(`behind: ${lone} at revision`));
    await shot('3-partitioned-stale');

    // Heal: the lone member catches up, and the page shows it.
    const heal = await timedClick(page, '#heal', `td.copy[data-key="greeting"][data-member="${lone}"]`, 'hello again', 'data-value');
    Object.assign(figures, { healToCaughtUpShownMs: heal.fromClick });
    await expect.poll(() => loneCopy.getAttribute('data-stale')).toBe('false');
    await expect.poll(() => page.locator('#agreement').textContent(), { timeout: 20_000 }).toMatch(/3 of 3 members hold the same data/);
    await page.waitForTimeout(1000);
    await shot('4-healed');
    figures.serverRssWithPageMiB = rssMiB(child.pid!);

    expect(problems, 'console errors, page errors or requests elsewhere').toEqual([]);
    writeFileSync(join(ARTIFACTS, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`dashboard figures (recorded, not asserted): ${JSON.stringify(figures)}`);

    await context.close();
    context = undefined;
    // Ctrl-C: the server, the members and their folder go.
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(etcdProcessesMentioning(`dashboard-${child.pid}-`), 'members left running').toEqual([]);
    expect(readdirSync(paths.clusterState).filter((d) => d.startsWith(`dashboard-${child.pid}-`)), 'folder left behind').toEqual([]);
  } finally {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}, 240_000);
