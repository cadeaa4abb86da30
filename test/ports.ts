/** Ports of the test cluster: far from the classroom cluster's 2377-2382, so tests never touch a student's cluster. */
export const TEST_CLIENT_PORT = 23791;
export const TEST_PEER_PORT = 23891;
/** The second test cluster, of test/labs-cluster.test.ts (labs 07-12 and 15 run on it, beside the first). */
export const TEST_B_CLIENT_PORT = 23811;
export const TEST_B_PEER_PORT = 23911;
/** The class-shared cluster of test/own/class-cluster.ts (one TLS member). */
export const TEST_CLASS_CLIENT_PORT = 23795;
export const TEST_CLASS_PEER_PORT = 23895;
/** The 5-member cluster behind peer proxies of test/own/faults.ts. */
export const TEST_FAULTS_CLIENT_PORT = 24791;
export const TEST_FAULTS_PEER_PORT = 24891;
export const TEST_FAULTS_PROXY_PORT = 24991;
