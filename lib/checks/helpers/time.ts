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

/** Whether `work` settles (resolves or rejects) within `ms`; never rejects itself. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(() => true, () => true);
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}
