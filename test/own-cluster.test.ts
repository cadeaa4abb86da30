/**
 * The tests that can run beside test/shared-cluster.test.ts (one after
 * another, in a second worker), because they bring an etcd cluster of their
 * own or keep to namespaces of their own:
 * - a class cluster with TLS and a user per student (class-cluster.ts);
 * - a 5-member cluster behind peer proxies, hurt on purpose (faults.ts);
 * - labs 12, 13 and 14 (labs.ts): 13 and 14 start, kill and partition
 *   members of their own.
 *
 * Run one part: npx vitest run test/own-cluster.test.ts -t "peer proxies"
 */
import './own/class-cluster.ts';
import './own/faults.ts';
import './own/labs.ts';
import './own/playground.ts';
