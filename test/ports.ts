/**
 * Ports of the test clusters: far from the classroom cluster's 2377-2382, so
 * tests never touch a student's cluster. WORKBOOK_TEST_PORT_OFFSET (a
 * multiple of 1000, say) moves them all, so that two test runs on one
 * machine (two checkouts, two developers) do not take each other's ports.
 */
const offset = Number(process.env.WORKBOOK_TEST_PORT_OFFSET ?? 0);
if (!Number.isInteger(offset) || offset < 0 || offset > 30_000) throw new Error(`WORKBOOK_TEST_PORT_OFFSET must be a whole number from 0 to 30000, not "${process.env.WORKBOOK_TEST_PORT_OFFSET}"`);

export const TEST_CLIENT_PORT = 23791 + offset;
export const TEST_PEER_PORT = 23891 + offset;
/** The second test cluster, of test/labs-cluster.test.ts (labs 07-12 and 15 run on it, beside the first). */
export const TEST_B_CLIENT_PORT = 23811 + offset;
export const TEST_B_PEER_PORT = 23911 + offset;
/** The class-shared cluster of test/own/class-cluster.ts (one TLS member). */
export const TEST_CLASS_CLIENT_PORT = 23795 + offset;
export const TEST_CLASS_PEER_PORT = 23895 + offset;
/** The 5-member cluster behind peer proxies of test/own/faults.ts. */
export const TEST_FAULTS_CLIENT_PORT = 24791 + offset;
export const TEST_FAULTS_PEER_PORT = 24891 + offset;
export const TEST_FAULTS_PROXY_PORT = 24991 + offset;
/** The throw-away clusters of test/shared/cluster.ts (start, stop, crash recovery). */
export const TEST_FRESH_CLIENT_PORT = 25791 + offset;
export const TEST_FRESH_PEER_PORT = 25891 + offset;
/** The class cluster on three loopback addresses of test/own/class-hosts.ts (each member on these ports). */
export const TEST_HOSTS_CLIENT_PORT = 25831 + offset;
export const TEST_HOSTS_PEER_PORT = 25931 + offset;
