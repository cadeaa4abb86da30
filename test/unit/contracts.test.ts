/**
 * Every lab's contract file (lib/checks/contracts/NN-slug.yaml) lists
 * wrong implementations that exist and name checks the lab has; every check
 * is failed by at least one of them; every fixture in test/fixtures/wrong/
 * is listed. (Whether each really fails as listed runs against etcd, in
 * test/lab-tests.ts.)
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCatalog } from '../../lib/catalog.ts';
import { loadContract, wrongFolder } from '../../lib/checks/contract.ts';
import { paths } from '../../lib/paths.ts';

describe.each(loadCatalog())('lab $id $slug: the contract', (lab) => {
  const contract = loadContract(lab);
  const checkIds = new Set(lab.checks.map((c) => c.id));

  test('every wrong implementation exists and names checks the lab has; every fixture is listed', () => {
    const problems = contract.wrong.flatMap((w) => [
      ...(existsSync(wrongFolder(lab, w.variant)) ? [] : [`${w.variant}: no folder test/fixtures/wrong/${lab.id}/${w.variant}`]),
      ...Object.keys(w.fails).filter((id) => !checkIds.has(id)).map((id) => `${w.variant}: no check ${id}`),
    ]);
    expect(problems).toEqual([]);
    const folder = join(paths.root, 'test', 'fixtures', 'wrong', lab.id);
    const listed = new Set(contract.wrong.map((w) => w.variant));
    expect(existsSync(folder) ? readdirSync(folder).filter((v) => !listed.has(v)) : [], 'fixtures no contract lists').toEqual([]);
  });

  test('every check is failed by at least one wrong implementation', () => {
    const covered = new Set(contract.wrong.flatMap((w) => Object.keys(w.fails)));
    expect(lab.checks.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});
