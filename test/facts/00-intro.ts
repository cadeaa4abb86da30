/** Facts of LAB.md's opening chapters ("What etcd is, and why it is built on Raft", "How a lab works"). */
import { describe } from 'vitest';

describe.skip('facts of the opening chapters', () => {});
