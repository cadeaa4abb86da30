/** Facts of LAB.md, "Lab 14 · Partitions" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 14 · Partitions', () => {});
