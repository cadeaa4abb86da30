/**
 * An anomaly: something a history shows that no correct store could have
 * done, named in words a student knows (a retry applied twice, a lost
 * update, a stale read, ...), with the operations involved. Models may find
 * them directly, before the search (anomalies.ts does for the list store).
 */
export type AnomalyKind = 'duplicate-append' | 'garbage-read' | 'failed-but-applied' | 'lost-update' | 'stale-read';

export type Anomaly = {
  kind: AnomalyKind;
  key: string;
  /** One line, for a terminal. */
  text: string;
  /** The operations involved (ids), the one that shows the anomaly last. */
  operations: number[];
  /** When it shows (ms, the history's clock), to order anomalies. */
  at: number;
};
