/**
 * Labs 13 and 14, beside the other test files: they start clusters of their
 * own (3 members killed, 5 partitioned), so they need neither test cluster.
 */
import { labTestsOf } from '../lab-tests.ts';

labTestsOf('own');
