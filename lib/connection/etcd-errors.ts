/**
 * What etcd and gRPC error texts mean, in one table (as etcd3's own
 * `errors.ts` maps gRPC messages to classes).
 *
 * etcd3 turns gRPC failures into classes (GRPCUnavailableError, ...), but
 * the class alone rarely says what happened: "14 UNAVAILABLE: No connection
 * established. Last error: null" is a refused connection, a TLS mistake or a
 * login that failed. Each place that shows an error to a person (the
 * connection diagnosis, lab 11's explanations, the playground, a student's
 * leaked error) classifies it here and keeps its own sentence.
 *
 * ```ts
 * const { kind } = classifyEtcdError(error);   // 'deadline', 'permission-denied', ...
 * ```
 */

export type EtcdErrorKind =
  /** The call's deadline passed before an answer (a hung, paused or cut-off member). */
  | 'deadline'
  /** Nothing listens at the endpoint, or no connection could be made at all. */
  | 'refused'
  /** The host name of the endpoint does not resolve. */
  | 'unresolved'
  /** etcd3's circuit breaker refuses the member for 5 s after 3 failures in a row. */
  | 'breaker-open'
  /** The member reached no quorum: "request timed out", "no leader", "leader changed". */
  | 'no-quorum'
  /** The user may not do this (its roles do not allow it). */
  | 'permission-denied'
  /** The user name and password do not match. */
  | 'auth-failed'
  /** Auth is on and the client gave no user (and its certificate names none). */
  | 'no-user'
  /** The TLS handshake failed (a CA, a certificate, plain http to a TLS port). */
  | 'tls'
  /** etcd refused the request itself: an empty key, a bad range, a compacted revision. */
  | 'invalid-request'
  /** The answer was larger than the client accepts (4 MiB by default). */
  | 'too-large'
  | 'other';

interface Row {
  kind: Exclude<EtcdErrorKind, 'other'>;
  /** Matched against "<class name> <message>". */
  pattern: RegExp;
  /** The meaning in a few words, for a person. */
  meaning: string;
}

/** First match wins: the specific texts come before the generic transport ones. */
const TABLE: Row[] = [
  { kind: 'breaker-open', pattern: /BrokenCircuitError|circuit breaker is open/i, meaning: 'etcd3\'s circuit breaker is open: after 3 failures in a row on a member it refuses that member for 5 s, and once every member of the client is refused a call fails at once, without sending anything' },
  { kind: 'permission-denied', pattern: /permission denied/i, meaning: 'etcd refused this user: its roles do not allow this (or the client certificate names no user etcd knows, and no password was given)' },
  { kind: 'auth-failed', pattern: /authentication failed|invalid auth token/i, meaning: 'etcd does not know this user name with this password' },
  { kind: 'no-user', pattern: /user name is empty|user name not found/i, meaning: 'authentication is on, and the client gave no user (nor a certificate that names one)' },
  { kind: 'no-quorum', pattern: /request timed out|no leader|leader changed|not capable|too many requests/i, meaning: 'the member could not reach a quorum (a majority of the cluster) in time' },
  { kind: 'too-large', pattern: /RESOURCE_EXHAUSTED|larger than max|exceeds the limit/i, meaning: 'the answer was larger than the client accepts (4 MiB): read in pages with a limit' },
  { kind: 'invalid-request', pattern: /key is not provided|INVALID_ARGUMENT|required revision has been compacted|mvcc: |etcdserver: /i, meaning: 'etcd refused the request itself: it is not a problem of the cluster\'s health' },
  { kind: 'unresolved', pattern: /waiting for name resolution|ENOTFOUND|EAI_AGAIN|getaddrinfo/i, meaning: 'the host name of the endpoint does not resolve' },
  { kind: 'tls', pattern: /SSL|certificate|handshake|self.signed|alert/i, meaning: 'the TLS handshake failed: a CA, a certificate, or plain http against a TLS port' },
  { kind: 'deadline', pattern: /DeadlineExceeded|deadline exceeded|DEADLINE_EXCEEDED/i, meaning: 'no answer before the call\'s deadline: a hung, paused or cut-off member' },
  { kind: 'refused', pattern: /ECONNREFUSED|ConnectFailed|failed to connect|No connection established|Connection dropped|ECONNRESET|UNAVAILABLE/i, meaning: 'no connection could be made to the member (not running, or it hung up)' },
];

export interface ClassifiedError {
  kind: EtcdErrorKind;
  /** The first line of the error's message. */
  text: string;
  /** What it means, in a few words ('' for 'other'). */
  meaning: string;
}

/** Accepts an Error, a flattened error ({ name, message }) or a text. */
export function classifyEtcdError(error: unknown): ClassifiedError {
  const e = error as { name?: string; message?: string; constructor?: { name?: string } } | undefined;
  const message = typeof error === 'string' ? error : (e?.message ?? String(error));
  const name = typeof error === 'string' ? '' : `${e?.constructor?.name ?? ''} ${e?.name ?? ''}`;
  const text = message.split('\n')[0];
  const row = TABLE.find((r) => r.pattern.test(`${name} ${message}`));
  return row ? { kind: row.kind, text, meaning: row.meaning } : { kind: 'other', text, meaning: '' };
}

/** Kinds that say "the cluster is not available right now", as opposed to a refused request. */
export const UNAVAILABLE_KINDS: readonly EtcdErrorKind[] = ['deadline', 'refused', 'unresolved', 'breaker-open', 'no-quorum', 'tls'];
