/** Facts of LAB.md, "Lab 03 · Logged users" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 03 · Logged users', () => {});
