import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { checksModulePath, findLab, labPath, loadCatalog, parseCatalog, selectLabs } from '../../lib/catalog.ts';
import { paths } from '../../lib/paths.ts';

const labs = loadCatalog();

test.each(labs)('lab $id has a stub, a solution, checks for every catalog entry and a LAB.md chapter', async (lab) => {
  expect(existsSync(labPath(lab, paths.labs))).toBe(true);
  expect(existsSync(labPath(lab, paths.solutions))).toBe(true);
  const checks = (await import(checksModulePath(lab))).default as Record<string, unknown>;
  expect(Object.keys(checks).sort()).toEqual(lab.checks.map((c) => c.id).sort());
  expect(readFileSync(paths.labGuide, 'utf8')).toContain(`## ${lab.chapter}`);
  // The stub marks where to work; the solution does not.
  expect(readFileSync(labPath(lab, paths.labs), 'utf8')).toMatch(/\/\/ TODO/);
  expect(readFileSync(labPath(lab, paths.solutions), 'utf8')).not.toMatch(/TODO|todo\(/);
});

test('labs are found by number, padded number, slug or full name', () => {
  expect(findLab('1').slug).toBe('connect');
  expect(findLab('03').slug).toBe('logged-users');
  expect(findLab('kv-basics').id).toBe('02');
  expect(findLab('02-kv-basics').id).toBe('02');
  expect(() => findLab('99')).toThrow(/there is no lab "99"/);
});

test('a command line can name several labs: ranges, all, in catalog order', () => {
  expect(selectLabs(['6', '4-5']).map((l) => l.id)).toEqual(['04', '05', '06']);
  expect(selectLabs(['watches', '3..4']).map((l) => l.id)).toEqual(['03', '04', '10']);
  expect(selectLabs(['all'])).toHaveLength(loadCatalog().length);
  expect(() => selectLabs(['4-99'])).toThrow(/there is no lab "99"/);
});

test('a broken catalog names the lab and the problem', () => {
  const base = { id: '01', slug: 'x', title: 't', summary: 's', chapter: 'c', from: 'f', owns: ['/x/'], hints: ['a', 'b'], checks: [{ id: 'c', title: 't' }] };
  const text = (lab: object) => JSON.stringify({ labs: [lab] });
  expect(() => parseCatalog(text({ ...base, hints: ['only one'] }))).toThrow(/lab 01: give 2 or 3 hints/);
  expect(() => parseCatalog(text({ ...base, owns: ['no-slash'] }))).toThrow(/`owns` must list/);
  expect(() => parseCatalog(text({ ...base, id: '1' }))).toThrow(/must be two digits/);
  expect(() => parseCatalog(JSON.stringify({ labs: [base, base] }))).toThrow(/id 01 is used twice/);
  expect(() => parseCatalog(text({ ...base, checks: [{ id: 'c', title: 't', timeout: -1 }] }))).toThrow(/timeout is in seconds/);
});

test('lab 14: the stub and the solution list exactly the catalog\'s predictions, in its order', async () => {
  const lab = findLab('14');
  expect(lab.predictions.length).toBeGreaterThan(4);
  for (const folder of [paths.labs, paths.solutions]) {
    const { predictions } = (await import(labPath(lab, folder))) as { predictions: Record<string, unknown> };
    expect(Object.keys(predictions), folder).toEqual(lab.predictions.map((p) => p.id));
  }
  expect(() => parseCatalog(JSON.stringify({ labs: [{ id: '01', slug: 'x', title: 't', summary: 's', chapter: 'c', from: 'f', owns: ['/x/'], hints: ['a', 'b'], checks: [{ id: 'c', title: 't' }], predictions: [{ id: 'Bad id', claim: 'c', why: 'w' }] }] })))
    .toThrow(/every prediction needs a camelCase id/);
});
