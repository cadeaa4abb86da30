/**
 * The tests that share the suite's etcd cluster (test/global-setup.ts), run
 * one after another in one worker: lab 01 moves that cluster's leader on
 * purpose, and the labs own the same key prefixes. The files with a cluster
 * of their own (class-cluster, faults) run beside this one.
 *
 * Run one part: npx vitest run test/shared-cluster.test.ts -t "lab 11"
 */
import './shared/catalog.ts';
import './shared/config.ts';
import './shared/cli-args.ts';
import './shared/install.ts';
import './shared/security.ts';
import './shared/runner.ts';
import './shared/cluster.ts';
import './shared/labs.ts';
import './shared/grade.ts';
import './shared/student-loop.ts';
import './shared/playground.ts';
