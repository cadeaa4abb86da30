/**
 * The process that runs a student's lab file (started by Sandbox).
 *
 * It loads the file, then runs one call at a time as the runner asks. It
 * never decides whether a check passed: it only reports what the student's
 * code returned or threw. Whatever the student's code does (hang, spin,
 * exit), the runner can kill this process and carry on.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pathToFileURL } from 'node:url';
import type { Etcd3, Namespace } from 'etcd3';
import { clientOptions } from '../connection/connection.ts';
// etcd3 1.1.2 loses the login on snapshot streams: fixed for the student's code too (lab 15 on a cluster with auth).
import '../connection/etcd3-fixes.ts';
import { LabError, NotImplementedError } from '../kit.ts';
import { probes } from './probes.ts';
import { logRpcs } from './rpc-log.ts';
import { disturb } from './adversaries.ts';
import { exitWithRunner } from './orphan-guard.ts';
import {
  type Arg, type ClientRecipe, type FromChild, type ThrownError, type ToChild,
  isCallbackArg, isClientArg, isHandleRef,
} from './protocol.ts';

// Start loading etcd3 while the runner is still busy: the lab file will need it.
const etcd3 = import('etcd3');
const runner = exitWithRunner();

let lab: Record<string, unknown> = {};
/** Which student function is running: process.exit() says who called it. */
const running = new AsyncLocalStorage<{ fn: string }>();
const handles = new Map<number, unknown>();
let nextHandle = 1;
const clients = new Map<string, { root: Etcd3; view: Namespace }>();
const replies = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextReply = 1;

function send(message: FromChild): void {
  if (process.connected) process.send?.(message);
}

function flatten(error: unknown): ThrownError {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    // etcd3's gRPC errors keep name 'Error': their class says more.
    name: error.name && error.name !== 'Error' ? error.name : (error.constructor?.name ?? 'Error'),
    message: error.message,
    stack: error.stack,
    kitClass: error instanceof LabError ? error.constructor.name : undefined,
    todo: error instanceof NotImplementedError ? error.functionName : undefined,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    denied: code === 'ERR_ACCESS_DENIED' ? { permission: String((error as { permission?: unknown }).permission ?? ''), resource: (error as { resource?: string }).resource } : undefined,
  };
}

async function clientFor(recipe: ClientRecipe): Promise<Namespace> {
  const key = JSON.stringify(recipe);
  let entry = clients.get(key);
  if (!entry) {
    const { Etcd3 } = await etcd3;
    const root = new Etcd3(clientOptions({ endpoints: recipe.hosts, auth: recipe.auth, tls: recipe.tls }, recipe.deadlineMs, { singleAttempt: recipe.singleAttempt }));
    entry = { root, view: recipe.namespace ? root.namespace(recipe.namespace) : root };
    logRpcs(root, entry.view);
    if (recipe.adversary) disturb(root, recipe.adversary);
    clients.set(key, entry);
  }
  return entry.view;
}

/** A function the student's code calls; the runner answers (its return value settles the promise here). */
function remoteCallback(callback: number) {
  return (...args: unknown[]) =>
    new Promise((resolve, reject) => {
      const reply = nextReply++;
      replies.set(reply, { resolve, reject });
      send({ type: 'callback', callback, args: args.map(toData), reply });
    });
}

async function decode(arg: Arg): Promise<unknown> {
  if (isClientArg(arg)) return clientFor(arg.$client);
  if (isHandleRef(arg)) {
    if (!handles.has(arg.$handle)) throw new Error(`handle ${arg.$handle} is gone (the lab process was restarted)`);
    return handles.get(arg.$handle);
  }
  if (isCallbackArg(arg)) return remoteCallback(arg.$callback);
  // Bytes arrive as a Uint8Array; lab contracts (and gRPC) want a Buffer.
  if (arg instanceof Uint8Array) return Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
  if (Array.isArray(arg)) return Promise.all(arg.map(decode));
  if (arg !== null && typeof arg === 'object' && Object.getPrototypeOf(arg) === Object.prototype) {
    // An options object may hold clients, handles or bytes too.
    const entries = await Promise.all(Object.entries(arg).map(async ([k, v]) => [k, await decode(v)] as const));
    return Object.fromEntries(entries);
  }
  return arg;
}

/** Plain data crosses by value; anything with behaviour (class instances, functions) stays here as a handle. */
function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 20) return false;
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint') return true;
  if (type !== 'object') return false;
  if (Array.isArray(value)) return value.every((v) => isPlainData(v, depth + 1));
  if (value instanceof Uint8Array || value instanceof Date) return true;
  if (value instanceof Map) return [...value].every(([k, v]) => isPlainData(k, depth + 1) && isPlainData(v, depth + 1));
  if (value instanceof Set) return [...value].every((v) => isPlainData(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value as object).every((v) => isPlainData(v, depth + 1));
}

function methodsOf(value: unknown): string[] {
  const names = new Set<string>();
  for (let o = value as object | null; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name !== 'constructor' && typeof (value as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names];
}

function toData(value: unknown): unknown {
  if (isPlainData(value)) return value;
  const id = nextHandle++;
  handles.set(id, value);
  const kind = typeof value === 'function' ? 'function' : ((value as object).constructor?.name ?? 'Object');
  return { $handle: id, kind, methods: methodsOf(value) };
}

/** Sets (string) or unsets (null) environment variables for the duration of one call. */
async function withEnv<T>(env: Record<string, string | null> | undefined, work: () => Promise<T>): Promise<T> {
  if (!env) return work();
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === null) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function answer(id: number, work: () => unknown): Promise<void> {
  try {
    const value = await work();
    send({ type: 'result', id, ok: true, value: toData(value) });
  } catch (error) {
    // The call ended the process (process.exit()): the exit, not this error, is its outcome.
    if ((error as Error)?.name === 'ProcessExit') return;
    send({ type: 'result', id, ok: false, error: flatten(error) });
  }
}

process.on('message', async (message: ToChild) => {
  switch (message.type) {
    case 'load':
      try {
        lab = (await import(pathToFileURL(message.file).href)) as Record<string, unknown>;
        send({ type: 'loaded', exports: Object.keys(lab) });
      } catch (error) {
        send({ type: 'load-failed', error: flatten(error) });
      }
      return;
    case 'call': {
      const fn = lab[message.fn];
      const args = message.args;
      await answer(message.id, async () => {
        if (!(message.fn in lab)) throw Object.assign(new Error(`the lab file does not export ${message.fn}`), { name: 'MissingExport' });
        if (typeof fn !== 'function') {
          if (args.length === 0) return fn; // an exported constant
          throw Object.assign(new Error(`${message.fn} is exported, but it is not a function`), { name: 'NotAFunction' });
        }
        const decoded = (await decode(args)) as unknown[];
        return running.run({ fn: message.fn }, () => withEnv(message.env, async () => fn(...decoded)));
      });
      return;
    }
    case 'invoke':
      await answer(message.id, async () => {
        const target = handles.get(message.handle) as Record<string, unknown> | ((...a: unknown[]) => unknown) | undefined;
        if (target === undefined) throw new Error(`handle ${message.handle} is gone`);
        const decoded = (await decode(message.args)) as unknown[];
        if (message.method === '') return (target as (...a: unknown[]) => unknown)(...decoded);
        const method = (target as Record<string, unknown>)[message.method];
        if (typeof method !== 'function') throw new Error(`the object your code returned has no method ${message.method}()`);
        return (method as (...a: unknown[]) => unknown).apply(target, decoded);
      });
      return;
    case 'probe':
      await answer(message.id, async () => {
        const probe = probes[message.probe];
        if (!probe) throw new Error(`unknown probe ${message.probe}`);
        return probe(...((await decode(message.args)) as unknown[]));
      });
      return;
    case 'reply': {
      const waiting = replies.get(message.reply);
      replies.delete(message.reply);
      if (message.ok) waiting?.resolve(message.value);
      else waiting?.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
      return;
    }
    case 'release':
      // Close what the harness opened and let go of the runner, so this
      // process exits on its own if (and only if) the student's code left
      // nothing running: the sessions lab checks exactly that.
      for (const { root } of clients.values()) root.close();
      clients.clear();
      handles.clear();
      runner.released();
      process.disconnect?.();
      return;
  }
});

// A student's process.exit() ends this process, and every call pending in it: the runner is told which
// function called it first, so the failure names that one (not whichever call happened to be pending).
const realExit = process.exit.bind(process);
process.exit = ((code?: number) => {
  const fn = running.getStore()?.fn;
  if (!process.connected) realExit(code);
  process.send?.({ type: 'exiting', fn, code } satisfies FromChild, () => realExit(code));
  // Nothing after process.exit() may run, even while the message is on its way.
  throw Object.assign(new Error('process.exit() was called'), { name: 'ProcessExit' });
}) as typeof process.exit;

process.on('uncaughtException', (error) => {
  if (error.name === 'ProcessExit') return;
  send({ type: 'uncaught', error: flatten(error) });
});
process.on('unhandledRejection', (error) => send({ type: 'uncaught', error: flatten(error) }));
send({ type: 'ready' });
