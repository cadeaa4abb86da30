/**
 * The lab process runs plain JavaScript, compiled here by the runner.
 *
 * Node's permission model (--experimental-permission) is what keeps a
 * student's code in its box (box.ts), and under it a process may not start
 * child processes: tsx cannot compile TypeScript there (it runs esbuild as a
 * service process). So the trusted runner compiles, with esbuild:
 *
 * - the lab process itself (child.ts and what it imports) into
 *   `.cache/sandbox/<hash>/child.mjs`, and lib/kit.ts into `kit.mjs` beside
 *   it, once per change of their sources (the hash);
 * - each lab file into `<job folder>/<name>.mjs`, with lib/kit.ts mapped to
 *   that same kit.mjs (so `instanceof KeyNotFoundError` holds on both sides)
 *   and an inline source map (errors point at the student's lines).
 *
 * A lab file may import the kit, packages (etcd3 …) and files of its own
 * folder; the runner never bundles anything else into it, so it cannot
 * reach the solutions or the checks through an import. (The workbook's own
 * wrong implementations, under test/fixtures/, may import the solutions.)
 * Both outputs live under the project root, so that `import 'etcd3'`
 * resolves to its node_modules.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { type Plugin, build, buildSync } from 'esbuild';
import { paths } from '../paths.ts';
import type { ThrownError } from './protocol.ts';

/** Where the compiled lab process and the lab runs' folders live. */
export const cacheDir = join(paths.root, '.cache');

export interface Runtime {
  /** The compiled lab process (fork this). */
  child: string;
  /** The compiled lib/kit.ts, shared by the lab process and every compiled lab file. */
  kit: string;
  dir: string;
}

const common = { bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', sourcemap: 'inline', logLevel: 'silent', absWorkingDir: paths.root } as const;
const kitSource = join(paths.root, 'lib', 'kit.ts');

/**
 * Imports of lib/kit.ts become imports of the one compiled kit: this
 * checkout's lib/kit.ts, and a submission's own copy of it (a student's
 * checkout has one), which must not be a second set of classes.
 */
function kitPlugin(kit: string): Plugin {
  return {
    name: 'workbook-kit',
    setup(b) {
      b.onResolve({ filter: /(^|\/)kit\.ts$/ }, (args) => {
        const target = resolve(args.resolveDir, args.path);
        return basename(target) === 'kit.ts' && basename(dirname(target)) === 'lib' ? { path: kit, external: true } : undefined;
      });
    },
  };
}

function hashOf(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

let runtime: Runtime | undefined;

/** The compiled lab process, built when its sources changed since the last build (a few ms to check). */
export function sandboxRuntime(): Runtime {
  if (runtime && existsSync(runtime.child)) return runtime;
  const base = join(cacheDir, 'sandbox');
  const manifest = join(base, 'manifest.json');
  if (existsSync(manifest)) {
    try {
      const { hash, inputs } = JSON.parse(readFileSync(manifest, 'utf8')) as { hash: string; inputs: string[] };
      const dir = join(base, hash);
      if (inputs.every(existsSync) && hashOf(inputs) === hash && existsSync(join(dir, 'child.mjs'))) {
        runtime = { child: join(dir, 'child.mjs'), kit: join(dir, 'kit.mjs'), dir };
        return runtime;
      }
    } catch {
      // rebuild
    }
  }
  // Built in a folder of its own, then renamed: two runners building at once never see half a build.
  const building = join(base, `building-${process.pid}-${Date.now()}`);
  mkdirSync(building, { recursive: true });
  try {
    // One build, two entries: the kit both share is one chunk, so the lab process and every compiled
    // lab file (which imports kit.mjs) see the same classes.
    const out = buildSync({ ...common, entryPoints: { child: join(paths.root, 'lib', 'sandbox', 'child.ts'), kit: kitSource }, outdir: building, splitting: true, outExtension: { '.js': '.mjs' }, metafile: true });
    const inputs = Object.keys(out.metafile!.inputs).map((f) => resolve(paths.root, f));
    const hash = hashOf(inputs);
    const dir = join(base, hash);
    if (!existsSync(join(dir, 'child.mjs'))) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(building, dir);
    }
    writeFileSync(`${manifest}.${process.pid}`, JSON.stringify({ hash, inputs }));
    renameSync(`${manifest}.${process.pid}`, manifest);
    runtime = { child: join(dir, 'child.mjs'), kit: join(dir, 'kit.mjs'), dir };
    return runtime;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** Folders a lab file may import from besides its own: the workbook's own wrong implementations import the solutions. */
function trustedImports(labFile: string): string[] {
  const fixtures = join(paths.root, 'test', 'fixtures');
  const trusted = labFile.startsWith(fixtures + '/') || labFile.startsWith(paths.solutions + '/');
  return trusted ? [paths.solutions, join(paths.root, 'lib', 'checks', 'helpers', 'unit-tests', 'broken'), fixtures] : [];
}

/** Relative imports must stay in the lab file's folder (or a trusted one). */
function confinePlugin(labFile: string): Plugin {
  const allowed = [dirname(labFile), ...trustedImports(labFile)];
  return {
    name: 'workbook-confine',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData?.inner) return undefined;
        const found = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { inner: true } });
        if (found.errors.length || found.external) return undefined;
        if (allowed.some((dir) => found.path.startsWith(dir + '/'))) return undefined;
        return { errors: [{ text: `a lab file may import lib/kit.ts, packages and files of its own folder; not ${relative(paths.root, found.path)}` }] };
      });
    },
  };
}

/** The lab file compiled into `outDir`, or the error a student reads (a syntax error, a forbidden import). */
export async function compileLabFile(labFile: string, outDir: string): Promise<{ ok: true; file: string } | { ok: false; error: ThrownError }> {
  const { kit } = sandboxRuntime();
  const out = join(outDir, `${basename(labFile).replace(/\.(test\.)?ts$/, '')}.mjs`);
  try {
    await build({ ...common, entryPoints: [labFile], outfile: out, plugins: [kitPlugin(kit), confinePlugin(labFile)] });
    return { ok: true, file: out };
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors ?? [];
    // The same shape as tsx's TransformError, which load-failure.ts reads: "<file>:<line>:<col>: ERROR: <text>".
    const lines = errors.map((e) => (e.location ? `${resolve(paths.root, e.location.file)}:${e.location.line}:${e.location.column}: ERROR: ${e.text}` : `ERROR: ${e.text}`));
    return { ok: false, error: { name: 'TransformError', message: [`Transform failed with ${errors.length} error${errors.length === 1 ? '' : 's'}:`, ...lines].join('\n') } };
  }
}
