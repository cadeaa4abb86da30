/** Facts of LAB.md, "Lab 01 · Connect" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 01 · Connect', () => {});
