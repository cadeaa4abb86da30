/**
 * Every lab's contract (lib/checks/contracts/NN-slug.yaml) holds together:
 * each clause quotes the stub or the LAB.md chapter word for word, names
 * checks the lab has, and is proven by a wrong implementation that fails one
 * of those checks; every stub sentence is a clause or declared prose; every
 * check enforces a clause; every wrong implementation in test/fixtures/wrong/
 * is listed and breaks a clause. (Whether each wrong implementation really
 * fails as listed is run against etcd in test/lab-tests.ts.)
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type LabEntry, labFileName, loadCatalog } from '../../lib/catalog.ts';
import { chapterText, loadContract, normalise, uncoveredStubText, wrongFolder } from '../../lib/checks/contract.ts';
import { paths } from '../../lib/paths.ts';

describe.each(loadCatalog())('lab $id $slug: the contract', (lab) => {
  const contract = loadContract(lab);
  const checkIds = new Set(lab.checks.map((c) => c.id));
  // While the contracts are being written, a lab without clauses is held only to its wrong implementations.
  const tabled = contract.clauses.length > 0;

  test.runIf(tabled)('every clause quotes the stub or its LAB.md chapter word for word', () => {
    const stub = normalise(docComments(lab));
    const chapter = chapterText(lab);
    const missing = contract.clauses.filter((c) => !(c.from === 'stub' ? stub : chapter).includes(normalise(c.quote))).map((c) => `${c.id}: "${c.quote}" is not in the ${c.from === 'stub' ? 'stub' : 'chapter'}`);
    const prose = contract.prose.filter((p) => !stub.includes(normalise(p))).map((p) => `prose "${p}" is not in the stub`);
    expect([...missing, ...prose]).toEqual([]);
  });

  test.runIf(tabled)('every sentence of the stub\'s doc comments is a clause (or declared prose)', () => {
    expect(uncoveredStubText(contract)).toEqual([]);
  });

  test.runIf(tabled)('every clause is enforced by a check of the lab, and every check enforces a clause', () => {
    expect(contract.clauses.length).toBeGreaterThan(0);
    const unknown = contract.clauses.flatMap((c) => (c.checks.length ? c.checks.filter((id) => !checkIds.has(id)).map((id) => `${c.id}: no check ${id}`) : [`${c.id}: no check`]));
    expect(unknown).toEqual([]);
    const enforcing = new Set(contract.clauses.flatMap((c) => c.checks));
    expect(lab.checks.map((c) => c.id).filter((id) => !enforcing.has(id))).toEqual([]);
    const ids = contract.clauses.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'clause ids used twice').toEqual([]);
  });

  test.runIf(tabled)('every clause is proven by a wrong implementation that fails one of its checks', () => {
    const unproven = contract.clauses.filter((c) => !contract.wrong.some((w) => w.breaks.includes(c.id) && c.checks.some((id) => id in w.fails))).map((c) => c.id);
    expect(unproven).toEqual([]);
  });

  test('every check is failed by at least one wrong implementation', () => {
    const covered = new Set(contract.wrong.flatMap((w) => Object.keys(w.fails)));
    expect(lab.checks.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  test('every wrong implementation exists, breaks a clause and names checks the lab has', () => {
    const clauseIds = new Set(contract.clauses.map((c) => c.id));
    const problems = contract.wrong.flatMap((w) => [
      ...(existsSync(wrongFolder(lab, w.variant)) ? [] : [`${w.variant}: no folder test/fixtures/wrong/${lab.id}/${w.variant}`]),
      ...(w.breaks.length ? w.breaks.filter((b) => !clauseIds.has(b)).map((b) => `${w.variant}: no clause ${b}`) : tabled ? [`${w.variant}: breaks no clause`] : []),
      ...Object.keys(w.fails).filter((id) => !checkIds.has(id)).map((id) => `${w.variant}: no check ${id}`),
    ]);
    expect(problems).toEqual([]);
    const folder = join(paths.root, 'test', 'fixtures', 'wrong', lab.id);
    const listed = new Set(contract.wrong.map((w) => w.variant));
    const unlisted = existsSync(folder) ? readdirSync(folder).filter((v) => !listed.has(v)) : [];
    expect(unlisted, 'fixtures no contract lists').toEqual([]);
  });
});

/** The doc comments of a lab's stub: the code of a stub is not the contract. */
function docComments(lab: LabEntry): string {
  return [...readFileSync(join(paths.stubs, labFileName(lab)), 'utf8').matchAll(/\/\*\*([\s\S]*?)\*\//g)].map((m) => m[1]).join('\n');
}
