/**
 * Every way the workbook itself can fail, one class each.
 *
 * A `WorkbookError` carries a stable `code` (for scripts and tests) and a
 * `fix`: the one thing the user should do next. The CLI prints exactly
 *
 *     error[PORT_IN_USE]: port 2379 (client port of etcd1) is already in use
 *       fix: stop whatever listens there, e.g. `systemctl stop etcd` ...
 *
 * and never a stack trace. Errors a *student's* code is expected to throw
 * (KeyNotFoundError, ...) are not here: they are part of the lab contracts
 * and live in `lib/kit.ts`.
 */
export abstract class WorkbookError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends WorkbookError {
  readonly code = 'USAGE';
}

export class UnknownLabError extends WorkbookError {
  readonly code = 'UNKNOWN_LAB';
  constructor(asked: string, known: string[]) {
    super(`there is no lab "${asked}"`, `pick one of ${known.join(', ')} (or run \`npm run lab\` to see the list)`);
  }
}

export class LabFileMissingError extends WorkbookError {
  readonly code = 'LAB_FILE_MISSING';
  constructor(file: string) {
    super(`the lab file ${file} does not exist`, 'check --labs-dir; for a file of labs/, `npm run reset N` brings the stub back');
  }
}

export class CatalogError extends WorkbookError {
  readonly code = 'BAD_CATALOG';
  constructor(problem: string) {
    super(`lib/catalog.yaml: ${problem}`, 'fix the catalog entry (maintainers: `npm test` checks the catalog)');
  }
}

export class ConfigError extends WorkbookError {
  readonly code = 'BAD_ETCD_CONFIG';
}

export class EtcdNotInstalledError extends WorkbookError {
  readonly code = 'ETCD_MISSING';
  constructor(looked: string) {
    super(`etcd is not installed (looked in ${looked})`, 'run `npm run setup`, or set ETCD_BIN to the folder that holds etcd and etcdctl');
  }
}

export class EtcdInstallError extends WorkbookError {
  readonly code = 'ETCD_INSTALL_FAILED';
}

export class ChecksumMismatchError extends WorkbookError {
  readonly code = 'CHECKSUM_MISMATCH';
  constructor(file: string, expected: string, actual: string) {
    super(
      `${file} has SHA-256 ${actual}, expected ${expected}: the download is damaged or not the official release`,
      'run `npm run setup` again; if it keeps failing, install etcd by hand and set ETCD_BIN',
    );
  }
}

export class PortInUseError extends WorkbookError {
  readonly code = 'PORT_IN_USE';
  constructor(port: number, role: string, configFile: string) {
    super(
      `port ${port} (${role}) is already in use by another program`,
      `stop it (see who: \`ss -ltnp 'sport = :${port}'\`; Debian's own etcd service: \`systemctl disable --now etcd\`) or change the port in ${configFile}`,
    );
  }
}

export class ClusterStartError extends WorkbookError {
  readonly code = 'CLUSTER_START_FAILED';
}

export class ClusterDownError extends WorkbookError {
  readonly code = 'CLUSTER_DOWN';
}

export class ConfirmationRequiredError extends WorkbookError {
  readonly code = 'NEEDS_CONFIRMATION';
  constructor(what: string) {
    super(`${what} needs a confirmation and there is no terminal to ask on`, 'add --yes');
  }
}

export class RunInProgressError extends WorkbookError {
  readonly code = 'RUN_IN_PROGRESS';
  constructor(prefix: string, namespace: string, holder: { host: string; pid: number; lab: string; since: string }, here: boolean) {
    const where = namespace ? ` in ${namespace}` : '';
    super(
      `another run (lab ${holder.lab}, pid ${holder.pid} on ${here ? 'this machine' : `host ${holder.host}`}, since ${holder.since.slice(11, 19)} UTC) is using ${prefix}${where}: two runs there would delete each other's keys`,
      here
        ? 'let it finish or stop it (a watch in another terminal?), then run again'
        : `wait for it, or give this run a namespace of its own: --namespace /students/<your name>/ (on a shared cluster each student needs their own)`,
    );
  }
}

export function isWorkbookError(error: unknown): error is WorkbookError {
  return error instanceof WorkbookError;
}

export class ConnectionSettingsError extends WorkbookError {
  readonly code = 'BAD_CONNECTION';
}
