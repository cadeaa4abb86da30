/** Facts of LAB.md, "Lab 10 · Watches" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 10 · Watches', () => {});
