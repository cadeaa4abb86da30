/**
 * The tests that share the suite's first etcd cluster (test/global-setup.ts),
 * run one after another in one worker: lab 01 moves that cluster's leader on
 * purpose, and the labs own the same key prefixes. Beside it run
 * test/labs-cluster.test.ts (labs 07-12 and 15, on the second cluster) and
 * test/own-cluster.test.ts (tests with clusters of their own).
 *
 * Run one part: npx vitest run test/shared-cluster.test.ts -t "lab 11"
 */
import './unit/catalog.test.ts';
import './unit/config.test.ts';
import './unit/cli-args.test.ts';
import './unit/install.test.ts';
import './shared/security.ts';
import './shared/runner.ts';
import './shared/box.ts';
import './shared/cluster.ts';
import './shared/labs.ts';
import './shared/grade.ts';
import './shared/student-loop.ts';
import './shared/playground.ts';
import './shared/student-edition.ts';
