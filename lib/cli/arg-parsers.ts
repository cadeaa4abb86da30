/** Option parsers shared by the CLIs (lab, grade): each failure is a UsageError with the fix. */
import { UsageError } from '../errors.ts';

export function integer(name: string, example = '1234') {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, got "${value}"`, `e.g. ${name} ${example}`);
    return Number(value);
  };
}

/** "http://a:2379,http://b:2379" → the list, each checked. */
export function endpointList(value: string | undefined): string[] | undefined {
  const endpoints = value?.split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of endpoints ?? []) {
    if (!/^https?:\/\/[^/]+:\d+\/?$/.test(e)) throw new UsageError(`"${e}" is not an endpoint`, 'write endpoints as http://host:port, comma-separated');
  }
  return endpoints;
}
