/**
 * The layers of lib/, top to bottom: a module may import from its own layer
 * and the layers below it, never above. `npm run lint` (and CI) fails when an
 * import runs back up or in a circle.
 *
 *   cli                       lib/cli: argument parsing, exit codes
 *   faces                     playground, dashboard, grading, class, test-kit (lab 12's tests)
 *   reporters                 terminal reports, lists, JSON / JUnit / score tables
 *   state                     the student's saved state: progress, hints, reset
 *   checks                    lib/checks: one module per lab, and their helpers
 *   runner                    running one lab's checks
 *   faults                    peer proxies, kill / pause / partition
 *   sandbox                   the process that runs a student's lab file
 *   cluster                   etcd processes: start, stop, inspect, auth
 *   connection                reaching a cluster: options, files, diagnosis
 *   basics                    catalog, certs, etcd install, terminal, history checker
 *   kit                       kit.ts (what lab files import), paths, errors
 *
 * Lab files (labs/, solutions/, lib/stubs/) import the kit only.
 */
const layers = [
  ['cli', '^lib/cli/'],
  ['faces', '^lib/(playground|dashboard|grading|class|dev)/|^lib/test-kit\\.ts$'],
  ['reporters', '^lib/reporters/'],
  ['state', '^lib/state/'],
  ['checks', '^lib/checks/'],
  ['runner', '^lib/runner/'],
  ['faults', '^lib/faults/'],
  ['sandbox', '^lib/sandbox/'],
  ['cluster', '^lib/cluster/'],
  ['connection', '^lib/connection/'],
  ['basics', '^lib/(catalog\\.ts|certs/|etcd/|terminal/|history/)'],
  ['kit', '^lib/(kit|paths|errors)\\.ts$'],
];

const upward = layers.slice(1).map(([name, path], i) => ({
  name: `${name}-imports-upward`,
  comment: `${name} may not import from the layers above it (${layers.slice(0, i + 1).map(([n]) => n).join(', ')})`,
  severity: 'error',
  from: { path },
  to: { path: layers.slice(0, i + 1).map(([, p]) => `(${p})`).join('|') },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'modules that import each other, directly or through others',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'lab-files-use-the-kit-only',
      comment: 'a lab file (and its stub and solution) imports lib/kit.ts or lib/test-kit.ts, nothing else of lib/',
      severity: 'error',
      from: { path: '^(labs|solutions|lib/stubs)/' },
      to: { path: '^lib/', pathNot: '^lib/(kit|test-kit)\\.ts$' },
    },
    {
      name: 'everything-in-a-layer',
      comment: 'a module of lib/ that no layer names: add its folder to .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^lib/', pathNot: `${layers.map(([, p]) => `(${p})`).join('|')}|^lib/stubs/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|test/fixtures|\\.scratch)/' },
  },
};
