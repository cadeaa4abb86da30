/**
 * Clusters a lab run starts for itself take free ports found a moment
 * before; another run starting at the same time can take them in between.
 * The run that lost then tries the next ports.
 */
import { PortInUseError } from '../../errors.ts';

/** The start failed because a port found free was taken since. */
export function portTaken(error: unknown): boolean {
  return error instanceof PortInUseError || /address already in use|EADDRINUSE/.test(String((error as Error)?.message));
}
