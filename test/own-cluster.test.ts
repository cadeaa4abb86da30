/**
 * The tests that bring an etcd cluster of their own, run one after another
 * in one worker, beside test/shared-cluster.test.ts:
 * - a class cluster with TLS and a user per student (class-cluster.ts);
 * - a 5-member cluster behind peer proxies, hurt on purpose (faults.ts);
 * - lab 13, whose checks start and kill 3 members of their own (failover-lab.ts).
 *
 * Run one part: npx vitest run test/own-cluster.test.ts -t "peer proxies"
 */
import './own/class-cluster.ts';
import './own/faults.ts';
import './own/failover-lab.ts';
