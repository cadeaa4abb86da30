/**
 * An etcd3 error as a student reads it in a check's message: its class, its
 * first line, and what it means (lib/connection/etcd-errors.ts), since the
 * raw gRPC text alone rarely says ("14 UNAVAILABLE: No connection
 * established. Last error: null").
 *
 * One text is read here beyond the table: "Deadline exceeded after 0.001s,
 * waiting for name resolution" is a deadline that had passed before the call
 * began (gRPC checks it while resolving the host, before anything else), not
 * a host name that does not resolve.
 */
import { type EtcdErrorKind, classifyEtcdError } from '../../connection/etcd-errors.ts';

interface ErrorLike {
  name: string;
  message: string;
}

/** A deadline that had passed when the call began: gRPC gave up at once, "after 0.00Xs". */
export function deadlineAlreadyPassed(error: ErrorLike | undefined): boolean {
  return !!error && /Deadline exceeded after 0\.0\d\ds/i.test(error.message);
}

/** The kind of an etcd3 error, with an expired deadline read as 'deadline' whatever the transport said it was waiting for. */
export function etcdErrorKind(error: ErrorLike | undefined): EtcdErrorKind | undefined {
  if (!error) return undefined;
  if (error.name === 'GRPCDeadlineExceededError' || deadlineAlreadyPassed(error)) return 'deadline';
  return classifyEtcdError(error).kind;
}

/** What an etcd3 error means, in a few words ('' when the table does not know it). */
export function etcdErrorMeaning(error: ErrorLike): string {
  if (deadlineAlreadyPassed(error)) return 'the call\'s deadline had already passed when it began';
  if (error.name === 'GRPCDeadlineExceededError') return classifyEtcdError('deadline exceeded').meaning;
  return classifyEtcdError(error).meaning;
}

/** "GRPCUnavailableError: 14 UNAVAILABLE: … (no connection could be made to the member …)". */
export function describeEtcdError(error: ErrorLike | undefined): string {
  if (!error) return 'no error';
  const said = etcdErrorMeaning(error);
  return `${error.name}: ${classifyEtcdError(error).text}${said ? ` (${said})` : ''}`;
}
