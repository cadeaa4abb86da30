/**
 * The HTML report, parsed: it names the failing operation and the reason,
 * fetches nothing (no external src= or href=), has balanced tags, escapes
 * student data, and shows a window of a long history saying what it left out.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkHistory, checkHistoryFile, listStore, writeReport, type Operation } from '../../lib/history/index.ts';
import { renderReport } from '../../lib/history/report/page.ts';
import { esc } from '../../lib/history/report/html.ts';
import { simulateListHistory } from '../../lib/history/simulate.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'histories');
const scratch = mkdtempSync(join(tmpdir(), 'history-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const VOID = new Set(['meta', 'br', 'img', 'input', 'link', 'hr', 'col', 'wbr', 'area', 'base', 'source', 'track', 'embed']);

/** The unbalanced tags of a page, if any (script and style contents skipped). */
function unbalanced(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = html.replace(/<(script|style)>[\s\S]*?<\/\1>/g, '').replace(/<!DOCTYPE[^>]*>/i, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    const tag = name.toLowerCase();
    if (selfClosing || VOID.has(tag)) continue;
    if (!closing) stack.push(tag);
    else if (stack.pop() !== tag) problems.push(`</${tag}> at ${m.index}`);
  }
  return [...problems, ...stack.map((t) => `<${t}> never closed`)];
}

/** Every src= and href= attribute value of the page's tags (escaped text is no tag; a quoted value is no attribute). */
function links(html: string): string[] {
  const tags = html.match(/<[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*>/g) ?? [];
  return tags.flatMap((tag) =>
    [...tag.matchAll(/\s([\w:-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?/g)]
      .filter((m) => /^(src|href)$/i.test(m[1]))
      .map((m) => (m[2] ?? '').replace(/^["']|["']$/g, '')),
  );
}

/** The url(#id) references whose id the page does not define. */
function danglingReferences(html: string): string[] {
  const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  return [...html.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]).filter((id) => !ids.has(id));
}

describe('report of a failing history', () => {
  test('(the test helpers see what they must)', () => {
    expect(links('<a title="src=x" href="https://example.org">x</a><img src=y.png>')).toEqual(['https://example.org', 'y.png']);
    expect(unbalanced('<div><p>x</div>')).not.toEqual([]);
  });

  test('near-identical anomalies are one line: the first in full, the others named', async () => {
    const result = await checkHistoryFile(join(fixtures, 'list-lost-updates.json'), { reportDir: scratch });
    const html = readFileSync(result.reportPath!, 'utf8');
    const lost = result.anomalies.filter((a) => a.kind === 'lost-update');
    expect(lost).toHaveLength(3);
    expect(html).toContain(esc(lost[0].text));
    expect(html).not.toContain(esc(lost[1].text));
    expect(html).toContain('2 more lost updates of the same kind: APPEND o3 (client c3), APPEND o4 (client c1)');
    expect(unbalanced(html)).toEqual([]);
  });

  test('names the operation that cannot be placed and why; self-contained; balanced', async () => {
    const result = await checkHistoryFile(join(fixtures, 'list-duplicate-append.json'), { reportDir: scratch });
    const html = readFileSync(result.reportPath!, 'utf8');
    const blocked = result.parts.find((p) => p.key === 'log')!.evidence!.blocked!;
    expect(blocked.label).toBe('GET → [e1,e2,e3,e3]');
    expect(html).toContain(esc(blocked.label));
    expect(html).toContain(esc(blocked.reason));
    expect(html).toContain(esc(result.anomalies[0].text));
    // The events on the time axis.
    expect(html).toContain('killed n1 (the leader)');
    expect(html).toContain('n2 is leader (term 4)');
    // One row per client; the blocked bar marked.
    for (const client of ['c1', 'c2', 'c3']) expect(html).toContain(`>client ${client}<title>`);
    expect(html).toMatch(/<g class="op ok blocked" data-op="5"/);
    expect(unbalanced(html)).toEqual([]);
    expect(links(html).filter((l) => !l.startsWith('#'))).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);
  });

  test('an operation with an unknown outcome is drawn to the right edge, with a fill the page defines', () => {
    const ops: Operation[] = [
      { id: 1, client: 'c1', key: 'k', input: { op: 'APPEND', value: 'a' }, call: 0, outcome: 'unknown' },
      { id: 2, client: 'c2', key: 'k', input: { op: 'APPEND', value: 'b' }, call: 1, return: 2, outcome: 'ok' },
      { id: 3, client: 'c3', key: 'k', input: { op: 'GET' }, output: ['b', 'b'], call: 3, return: 4, outcome: 'ok' },
    ];
    const html = renderReport(checkHistory({ model: listStore, operations: ops }));
    expect(html).toMatch(/<g class="op unknown" data-op="1"[^>]*>\n<title>[^<]*never returned/);
    expect(html).toContain('fill="url(#p0-fade)"');
    expect(danglingReferences(html)).toEqual([]);
    expect(unbalanced(html)).toEqual([]);
  });

  test('escapes student data everywhere', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const ops: Operation[] = [
      { id: 1, client: '"><script>alert(2)</script>', key: "k'<b>", input: { op: 'APPEND', value: evil }, call: 0, return: 1, outcome: 'ok' },
      { id: 2, client: 'c2', key: "k'<b>", input: { op: 'GET' }, output: [evil, '&amp;'], call: 2, return: 3, outcome: 'ok' },
    ];
    const result = checkHistory({ model: listStore, operations: ops, events: [{ at: 1.5, kind: 'note', text: '</svg><script>alert(3)</script>' }] });
    expect(result.verdict).toBe('not-linearizable');
    const html = renderReport(result);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain("k'<b>");
    expect(html).toContain('k&#39;&lt;b&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&amp;amp;');
    expect(links(html).filter((l) => !l.startsWith('#'))).toEqual([]);
    expect(unbalanced(html)).toEqual([]);
  });

  test('a long history: a window of about 40 operations around the failure, saying how many are left out', () => {
    const ops = simulateListHistory({ operations: 600, keys: 1, clientsPerKey: 5, seed: 4, bug: 'duplicate-append' });
    const result = checkHistory({ model: listStore, operations: ops });
    expect(result.verdict).toBe('not-linearizable');
    const file = writeReport(result, join(scratch, 'long', 'report.html'));
    const html = readFileSync(file, 'utf8');
    const bars = html.match(/<g class="op /g) ?? [];
    expect(bars.length).toBe(40);
    const m = html.match(/Showing 40 of the key's 600 operations, around the one that cannot be placed: (\d+) earlier and (\d+) later ones are left out/);
    expect(m).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(560);
    expect(html).toContain(`data-op="${result.parts[0].evidence!.blocked!.operation.id}"`);
    expect(html).toMatch(/… \d+ earlier steps left out/);
    expect(unbalanced(html)).toEqual([]);
  });

  test('a linearizable history gives a page that says so', () => {
    const result = checkHistory({ model: listStore, operations: simulateListHistory({ operations: 50, keys: 2, clientsPerKey: 3, seed: 1 }) });
    const html = renderReport(result);
    expect(html).toContain('<h1 class="linearizable">linearizable</h1>');
    expect(unbalanced(html)).toEqual([]);
  });
});
