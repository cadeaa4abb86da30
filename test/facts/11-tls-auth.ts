/** Facts of LAB.md, "Lab 11 · TLS and auth" (and its stub and hints). */
import { describe } from 'vitest';

describe.skip('facts of Lab 11 · TLS and auth', () => {});
