/**
 * The tests that bring etcd clusters of their own, one after another, beside
 * the two files on the suite's test clusters:
 * - a class cluster with TLS and a user per student (class-cluster.ts);
 * - a 5-member cluster behind peer proxies, hurt on purpose (faults.ts);
 * - labs 13 and 14 (labs.ts), which start, kill and partition members;
 * - the fault console in a pseudo-terminal (playground.ts);
 * - the dashboard's server (dashboard.ts) and its page in a headless Chromium (dashboard-browser.ts).
 *
 * Run one part: npx vitest run test/own-cluster.test.ts -t "peer proxies"
 */
import './own/class-cluster.ts';
import './own/class-hosts.ts';
import './own/faults.ts';
import './own/labs.ts';
import './own/playground.ts';
import './own/dashboard.ts';
import './own/dashboard-browser.ts';
