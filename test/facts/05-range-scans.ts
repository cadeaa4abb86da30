/** Facts of LAB.md, "Lab 05 · Range scans" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 05 · Range scans', () => {});
