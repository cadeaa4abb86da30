/**
 * History files: validation with one-line errors (code + fix), the committed
 * fixtures with their known verdicts, the report written beside a failing
 * check, and the lines a terminal prints.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkHistoryFile, formatSummary, HistoryError, parseHistory, readHistoryFile } from '../../lib/history/index.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'histories');
const scratch = mkdtempSync(join(tmpdir(), 'history-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function errorOf(work: () => unknown): HistoryError {
  try {
    work();
  } catch (error) {
    if (error instanceof HistoryError) return error;
    throw error;
  }
  throw new Error('no error thrown');
}

const good = { id: 1, client: 'c1', key: 'k', input: { op: 'APPEND', value: 'x' }, call: 1, return: 2, outcome: 'ok' };
const problemOf = (ops: unknown[], extra: Record<string, unknown> = {}) => errorOf(() => parseHistory({ model: 'list-store', operations: ops, ...extra })).message;

describe('validation', () => {
  test('a valid history parses, with events sorted by time', () => {
    const h = parseHistory({ model: 'list-store', operations: [good], events: [{ at: 5, kind: 'heal', text: 'healed' }, { at: 1, kind: 'kill', text: 'killed n2' }] });
    expect(h.model.name).toBe('list-store');
    expect(h.operations).toHaveLength(1);
    expect(h.events.map((e) => e.kind)).toEqual(['kill', 'heal']);
  });

  test('one clear line per problem, the first in the message', () => {
    expect(problemOf([{ ...good, call: 7, return: 3.5 }])).toBe('operation 1: return before call (call 7, return 3.5)');
    expect(problemOf([{ ...good, return: undefined }])).toMatch(/^operation 1: no return time for an operation that returned ok \(use outcome "unknown"/);
    expect(problemOf([{ ...good, outcome: 'maybe' }])).toBe('operation 1: "outcome" must be "ok", "fail" or "unknown", got "maybe"');
    expect(problemOf([{ ...good, id: 'a' }])).toBe('operations[0]: "id" must be an integer, got "a"');
    expect(problemOf([good, { ...good }])).toBe('operation 1: the id 1 is also used by operations[0]');
    expect(problemOf([{ ...good, input: { op: 'GET' } }])).toMatch(/^operation 1: a GET that returned ok needs "output"/);
    expect(problemOf([{ ...good, call: 'soon' }])).toBe('operation 1: "call" must be a time in ms, got "soon"');
    expect(problemOf([good], { events: [{ at: 1, kind: 'explode' }] })).toMatch(/^events\[0\]: "kind" must be one of kill, partition, heal, restart, leader, note/);
  });

  test('every problem is listed; the message counts the others', () => {
    const e = errorOf(() => parseHistory({ model: 'list-store', operations: [{ ...good, call: 3, return: 2 }, { ...good, id: 2, key: 5 }] }));
    expect(e.code).toBe('HISTORY_INVALID');
    expect(e.message).toBe('operation 1: return before call (call 3, return 2) (and 1 more problem)');
    expect((e as unknown as { problems: string[] }).problems).toEqual(['operation 1: return before call (call 3, return 2)', 'operation 2: "key" must be a string, got 5']);
    expect(e.fix).toMatch(/README/);
  });

  test('an unknown operation needs no return and no output', () => {
    expect(parseHistory({ model: 'list-store', operations: [{ id: 1, client: 2, key: 'k', input: { op: 'GET' }, call: 1, outcome: 'unknown' }] }).operations[0].return).toBeUndefined();
  });

  test('unknown model, missing model, not an object', () => {
    const unknown = errorOf(() => parseHistory({ model: 'bank', operations: [] }));
    expect([unknown.code, unknown.message]).toEqual(['HISTORY_UNKNOWN_MODEL', 'there is no model "bank"']);
    expect(unknown.fix).toBe('set "model" at the top of the file to one of "list-store", "cas-register"');
    expect(errorOf(() => parseHistory({ operations: [] })).message).toBe('the history does not say which model it follows');
    expect(errorOf(() => parseHistory([])).code).toBe('HISTORY_INVALID');
  });

  test('files: missing, not JSON, invalid', () => {
    const missing = errorOf(() => readHistoryFile(join(scratch, 'nope.json')));
    expect(missing.code).toBe('HISTORY_FILE_MISSING');
    const broken = join(scratch, 'broken.json');
    writeFileSync(broken, '{"model": "list-store", "operations": [');
    const bad = errorOf(() => readHistoryFile(broken));
    expect(bad.code).toBe('HISTORY_BAD_JSON');
    expect(bad.message).not.toContain('\n');
    expect(bad.fix).toBeTruthy();
    const invalid = errorOf(() => readHistoryFile(join(fixtures, 'invalid-return-before-call.json')));
    expect([invalid.code, invalid.message]).toEqual(['HISTORY_INVALID', 'operation 2: return before call (call 7, return 3.5)']);
  });

  test('errors are WorkbookErrors: the CLI prints code and fix', async () => {
    const { isWorkbookError } = await import('../../lib/errors.ts');
    expect(isWorkbookError(errorOf(() => parseHistory({ model: 'x', operations: [] })))).toBe(true);
  });
});

describe('fixtures', () => {
  test.each([
    ['list-ok.json', 'linearizable', []],
    ['cas-ok.json', 'linearizable', []],
    ['list-duplicate-append.json', 'not-linearizable', ['duplicate-append']],
    ['list-stale-read.json', 'not-linearizable', ['stale-read']],
    ['list-lost-update.json', 'not-linearizable', ['lost-update']],
  ])('%s is %s', async (file, verdict, anomalies) => {
    const result = await checkHistoryFile(join(fixtures, file), { reportDir: scratch });
    expect(result.verdict).toBe(verdict);
    expect(result.anomalies.map((a) => a.kind)).toEqual(anomalies);
    expect(result.reportPath === undefined).toBe(verdict === 'linearizable');
  });

  test('list-ok needs its reordering, its unknown APPEND and its failed PUT read right', async () => {
    const result = await checkHistoryFile(join(fixtures, 'list-ok.json'), { reportDir: scratch });
    const ana = result.parts.find((p) => p.key === 'cart:ana')!;
    // a3 (op 3) before a2 (op 2) although op 2 was called first; a4 (unknown, op 6) placed; a6 (fail, op 9) not.
    expect(ana.linearization!.indexOf(3)).toBeLessThan(ana.linearization!.indexOf(2));
    expect(ana.linearization).toContain(6);
    expect(ana.linearization).not.toContain(9);
  });

  test('a failing file: the report beside it by default, named after it; the summary names the anomaly first', async () => {
    const copy = join(scratch, 'history.json');
    writeFileSync(copy, readFileSync(join(fixtures, 'list-duplicate-append.json')));
    const result = await checkHistoryFile(copy);
    expect(result.reportPath).toBe(join(scratch, 'history.report.html'));
    const lines = formatSummary(result);
    expect(lines[0]).toMatch(/^duplicate append \(key log\): GET → \[e1, e2, e3, e3\] \(operation 5, client c2\) holds e3 twice, but e3 was appended once/);
    expect(lines[1]).toMatch(/^not linearizable: key log \(1 of 2 keys; 9 operations, checked in \d+ ms\)$/);
    expect(lines[2]).toBe('  cannot place GET → [e1,e2,e3,e3] (operation 5, client c2): GET returned [e1, e2, e3, e3], but the list at that point is [e1, e2, e3]: an element is repeated');
    expect(lines.at(-1)).toBe(`report: ${result.reportPath}`);
    expect(readFileSync(result.reportPath!, 'utf8')).toContain('holds e3 twice');
  });

  test('summary of a linearizable history: one line', async () => {
    const result = await checkHistoryFile(join(fixtures, 'list-ok.json'));
    expect(formatSummary(result)).toEqual([expect.stringMatching(/^linearizable: 2 keys, 17 operations, checked in \d+ ms$/)]);
  });
});
