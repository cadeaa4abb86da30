/**
 * The list store's operations as a history records them: input
 * `{ "op": "PUT" | "APPEND", "value": "x3" }` or `{ "op": "GET" }`, and a
 * GET's output, the list it read.
 */
export type ListInput = { op: 'PUT' | 'APPEND'; value: string } | { op: 'GET' };
export type ListOutput = string[];
