/**
 * Facts: every claim LAB.md, the stubs and the hints make about etcd, etcd3
 * or Raft that a test can show, shown against the real cluster and the real
 * client, one file per chapter. A new etcd or etcd3 that changes a fact fails
 * the test that names the sentence to rewrite. Claims no test here can show
 * cite their source beside them in LAB.md.
 */
import './00-intro.ts';
import './01-connect.ts';
import './02-kv-basics.ts';
import './03-logged-users.ts';
import './04-transactions.ts';
import './05-range-scans.ts';
import './06-atomic-replace.ts';
import './07-leases.ts';
import './08-sessions.ts';
import './09-locks.ts';
import './10-watches.ts';
import './11-tls-auth.ts';
import './12-unit-tests.ts';
import './13-failover.ts';
import './14-partitions.ts';
import './15-snapshots.ts';
