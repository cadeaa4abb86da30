/**
 * `npm run new-lab <slug>`: the files a new lab needs, each a working
 * minimum to edit (CONTRIBUTING.md says what each is for and which test
 * holds it):
 *
 *   lib/catalog.yaml                       its entry (id, title, summary, owns, hints, one check)
 *   labs/NN-slug.ts, lib/stubs/NN-slug.ts  the stub, with a TODO
 *   solutions/NN-slug.ts                   the reference solution (starts as the stub: write it)
 *   lib/checks/NN-slug.ts                  the checks module, one check
 *   lib/checks/contracts/NN-slug.yaml      the contract: one clause, no wrong implementation yet
 *   LAB.md                                 the chapter
 *
 * The new lab then fails `npm run check-labs` only because the solution and
 * the wrong implementations are not written yet.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LabEntry, checksModulePath, labPath, loadCatalog, parseCatalog } from '../catalog.ts';
import { contractFile } from '../checks/contract.ts';
import { UsageError } from '../errors.ts';
import { paths, shown } from '../paths.ts';
import { sync } from './derived.ts';

export interface NewLab {
  id: string;
  files: string[];
}

function titleOf(slug: string): string {
  const words = slug.split('-').join(' ');
  return words[0].toUpperCase() + words.slice(1);
}

export function scaffoldLab(slug: string, options: { title?: string; catalogFile?: string } = {}): NewLab {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(slug)) throw new UsageError(`"${slug}" is not a lab slug`, 'use lowercase words joined by dashes, e.g. npm run new-lab -- leader-lease');
  const labs = loadCatalog();
  if (labs.some((l) => l.slug === slug)) throw new UsageError(`there is a lab ${slug} already`, 'pick another slug');
  const id = String(Math.max(...labs.map((l) => Number(l.id))) + 1).padStart(2, '0');
  const title = options.title ?? titleOf(slug);
  const chapter = `Lab ${id} · ${title}`;
  const prefix = `/lab${id}/`;
  const entry = `
  - id: "${id}"
    slug: ${slug}
    title: ${JSON.stringify(title)}
    summary: ${JSON.stringify(`${title} (TODO: one line for the README's lab table)`)}
    chapter: ${JSON.stringify(chapter)}
    from: "TODO: the seed document and task it comes from"
    owns: ["${prefix}"]
    hints:
      - "TODO: a gentle first hint."
      - "TODO: a hint that nearly gives it away."
    checks:
      - id: stores-value
        title: storeValue() writes the value at the key
`;
  const lab: LabEntry = parseCatalog(`labs:${entry}`)[0];
  const files = [labPath(lab, paths.labs), join(paths.stubs, `${id}-${slug}.ts`), labPath(lab, paths.solutions), checksModulePath(lab), contractFile(lab)];
  const taken = files.filter(existsSync);
  if (taken.length) throw new UsageError(`${taken.map(shown).join(', ')} exist already`, 'remove them, or pick another slug');

  const stub = `/**
 * ${chapter}
 *
 * Run the checks:   npm run lab ${Number(id)}
 * Read first:       LAB.md, "${chapter}"
 *
 * TODO (maintainer): what the student builds here, and why, in two sentences.
 */
import { type EtcdClient, todo } from '../lib/kit.ts';

/**
 * Stores \`value\` at \`key\`, overwriting what was there.
 */
export async function storeValue(client: EtcdClient, key: string, value: string): Promise<void> {
  // TODO: client.put(key).value(value).exec()
  todo('storeValue');
}
`;
  const checks = `/**
 * Lab ${id} checks: ${title}. Each check seeds random data, makes one call into
 * the student's code, reads the truth with the runner's own client (ctx.kv)
 * and says what the code did (lib/checks/03-logged-users.ts is the model).
 */
import type { LabChecks } from '../runner/context.ts';
import { expect, show } from '../runner/failure.ts';

const checks: LabChecks = {
  async 'stores-value'(ctx) {
    const key = \`${prefix}\${ctx.rng.token(6)}\`;
    const value = ctx.rng.token(8);
    await ctx.student.call('storeValue', [ctx.client(), key, value]);
    const stored = await ctx.kv.get(key).string();
    expect(stored === value, \`after storeValue(client, \${show(key)}, \${show(value)}), the key holds \${show(stored)}\`, { expected: value, actual: stored });
  },
};

export default checks;
`;
  const contract = `# ${chapter}: the contract, clause by clause (see lib/checks/contract.ts).
clauses:
  - id: stores-value
    from: stub
    quote: "Stores \`value\` at \`key\`, overwriting what was there."
    checks: [stores-value]
prose: []
# Each clause needs a wrong implementation in test/fixtures/wrong/${id}/<variant>/${id}-${slug}.ts that breaks it.
wrong: []
`;
  appendFileSync(options.catalogFile ?? paths.catalog, entry);
  writeFileSync(files[0], stub);
  writeFileSync(files[2], stub.replace('TODO (maintainer): what the student builds here, and why, in two sentences.', 'Reference solution: TODO (maintainer).'));
  writeFileSync(files[3], checks);
  writeFileSync(files[4], contract);
  appendFileSync(paths.labGuide, `\n---\n\n## ${chapter}\n\n**Goal.** TODO.\n\n**Your task** (\`labs/${id}-${slug}.ts\`):\n- \`storeValue(client, key, value)\` stores \`value\` at \`key\`, overwriting what was there.\n\n**What the checks verify.** TODO.\n`);
  sync();
  return { id, files: [paths.catalog, ...files, paths.labGuide].map(shown) };
}
