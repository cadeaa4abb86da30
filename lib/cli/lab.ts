/**
 * `npm run lab [N]` (options: lib/cli/lab-args.ts).
 *
 * Starting node + tsx + etcd3 for the student's code takes about half a
 * second, as long as loading the runner itself. So the lab process is
 * spawned first, from this tiny module, and the runner loads meanwhile.
 */
import { Sandbox } from '../sandbox/sandbox.ts';

// (A watch's warm runner too: it starts everything ahead, then waits for the save.)
const runsALab = process.argv.slice(2).some((a) => !a.startsWith('-')) && !process.argv.includes('--help') && !process.argv.includes('--watch');
const early = runsALab ? Sandbox.spawn() : undefined;
const { main } = await import('./lab-main.ts');
await main(early);
