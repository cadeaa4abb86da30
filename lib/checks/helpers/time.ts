/** Waiting in checks: plain sleeps and polling with a limit. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `condition` every `everyMs` until it holds or `limitMs` passed.
 * Resolves to the ms it took, or undefined when it never held.
 */
export async function waitFor(condition: () => Promise<boolean> | boolean, limitMs: number, everyMs = 50): Promise<number | undefined> {
  const began = performance.now();
  for (;;) {
    if (await condition()) return Math.round(performance.now() - began);
    if (performance.now() - began >= limitMs) return undefined;
    await sleep(everyMs);
  }
}
