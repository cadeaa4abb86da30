/** Facts of LAB.md, "Lab 13 · Failover" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 13 · Failover', () => {});
