/**
 * The one-line messages of the playground's results, in plain text: the
 * console adds a mark and colours (✔ green, ✖ red, the aside dim), the
 * dashboard shows the same words on the page and in its event log.
 */
import type { FaultOutcome, FaultRequest, KeyOutcome, Reached } from './operations.ts';

export interface Message {
  /** true: done (✔); false: not done (✖); undefined: an answer (a value, a count). */
  ok?: boolean;
  text: string;
  /** Said under the breath: which member answered, and who did not before it. */
  aside?: string;
}

/** "(via n2; n1 refuses connections: it is not running)". */
export function viaNote(answer: Reached<unknown>): string {
  if (!answer.ok) return '';
  const skipped = answer.failures.length ? `; ${answer.failures.join('; ')}` : '';
  return `(via ${answer.via}${skipped})`;
}

const quoted = (text: string) => JSON.stringify(text);

/** Why no member did it (a write may still be committed: the console says so). */
function notDone(op: KeyOutcome['op'], failures: string[]): Message {
  const why = failures.join('; ');
  return { ok: false, text: op === 'put' ? `${why}. The write was not confirmed; it may still be committed later.` : why };
}

export function keyMessage(outcome: KeyOutcome): Message {
  switch (outcome.op) {
    case 'list': {
      const a = outcome.answer;
      if (!a.ok) return notDone(outcome.op, a.failures);
      return { text: `${a.value.total} key(s)${outcome.prefix ? ` under ${outcome.prefix}` : ''}`, aside: viaNote(a) };
    }
    case 'get': {
      const a = outcome.answer;
      if (!a.ok) return notDone(outcome.op, a.failures);
      if (!a.value.found) return { ok: false, text: `no key ${quoted(outcome.key)} (never written, or deleted)`, aside: viaNote(a) };
      return { text: quoted(a.value.found.value), aside: `${outcome.serializable ? 'serializable: this member\'s own copy, maybe stale ' : ''}${viaNote(a)}` };
    }
    case 'put': {
      const a = outcome.answer;
      if (!a.ok) return notDone(outcome.op, a.failures);
      return { ok: true, text: `${outcome.key} = ${quoted(outcome.value)} at revision ${a.value.revision}`, aside: viaNote(a) };
    }
    case 'delete': {
      const a = outcome.answer;
      if (!a.ok) return notDone(outcome.op, a.failures);
      if (a.value.deleted === 0) return { ok: false, text: `no key ${quoted(outcome.key)}: nothing deleted`, aside: viaNote(a) };
      return { ok: true, text: `deleted ${outcome.key} at revision ${a.value.revision}`, aside: viaNote(a) };
    }
  }
}

/** What a fault request says in a few words ("kill n1", "partition {n1 n2} | {n3}"). */
export function faultTitle(request: FaultRequest): string {
  switch (request.kind) {
    case 'partition': return `partition ${groupsText(request.groups)}`;
    case 'heal': return 'heal';
    default: return `${request.kind} ${request.member}`;
  }
}

function groupsText(groups: string[][]): string {
  return groups.filter((g) => g.length > 0).map((g) => `{${g.join(' ')}}`).join(' | ');
}

export function faultMessage(outcome: FaultOutcome): Message {
  const { request } = outcome;
  if (!outcome.done) {
    const member = 'member' in request ? request.member : '';
    switch (outcome.refusal) {
      case 'down': return { ok: false, text: request.kind === 'kill' ? `${member} is not running already` : `${member} is not running: restart ${member}` };
      case 'paused': return { ok: false, text: `${member} is paused${request.kind === 'pause' ? ' already' : `, not down: resume ${member}`}` };
      case 'up': return { ok: false, text: `${member} is running already` };
      case 'not-paused': return { ok: false, text: `${member} is not paused` };
      default: return { ok: false, text: `${faultTitle(request)} failed: ${outcome.error}` };
    }
  }
  switch (request.kind) {
    case 'kill': return { ok: true, text: `killed ${request.member} (SIGKILL)` };
    case 'restart': return { ok: true, text: `${request.member} is running again, with its data (${(outcome.ms / 1000).toFixed(1)} s)` };
    case 'pause': return { ok: true, text: `paused ${request.member} (SIGSTOP): it holds its connections and answers nothing` };
    case 'resume': return { ok: true, text: `resumed ${request.member} (SIGCONT)` };
    case 'partition': return { ok: true, text: `partitioned ${groupsText(request.groups)}` };
    case 'isolate': return { ok: true, text: `isolated ${request.member} from every other member` };
    case 'heal': return { ok: true, text: 'every link restored' };
  }
}
