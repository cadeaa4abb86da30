/** Facts of LAB.md, "Lab 07 · Leases" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 07 · Leases', () => {});
