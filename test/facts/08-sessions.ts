/** Facts of LAB.md, "Lab 08 · Sessions" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 08 · Sessions', () => {});
