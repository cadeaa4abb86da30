/**
 * Labs 07-12 and 15 (test/lab-tests.ts says which file tests which lab), on
 * the suite's second cluster (ports 23811-23813, test/global-setup.ts), one
 * after another, beside the other two test files: the stub fails every check
 * with a TODO message, the solution passes, and every wrong implementation
 * fails the check it should. (Labs 10 and 15 work on a one-member etcd of
 * each run's own, lib/checks/helpers/own-member.ts.)
 *
 * Then the facts of LAB.md (test/facts/), one file per chapter.
 *
 * Run one lab: npx vitest run test/labs-cluster.test.ts -t "lab '09'"
 */
import { useSecondTestCluster } from './helpers.ts';
import { labTestsOf } from './lab-tests.ts';

useSecondTestCluster();
labTestsOf('labs');
import './facts/index.ts';
