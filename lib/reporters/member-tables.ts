/**
 * The members of a cluster as a table, for people: `npm run cluster -- status`,
 * and the playground after every command.
 */
import { style } from '../terminal/style.ts';
import { table } from '../terminal/table.ts';
import type { MemberReport } from '../faults/faulty-cluster.ts';
import type { MemberState } from '../cluster/cluster.ts';
import type { MemberStatus } from '../cluster/inspect.ts';

export interface NamedStatus {
  name: string;
  status: MemberStatus;
  /** What the process table says, for a cluster the workbook runs. */
  process?: MemberState;
}

/** member, endpoint, state, leader, raft term, raft index, revision, db size. */
export function memberTable(members: NamedStatus[]): string {
  const rows = [['member', 'endpoint', 'state', 'leader', 'raft term', 'raft index', 'revision', 'db size'].map(style.bold)];
  for (const { name, status: s, process } of members) {
    const state = s.up ? style.green('up') : process === 'crashed' ? style.red('crashed') : process === 'running' ? style.yellow('not answering') : process === 'stopped' ? style.dim('stopped') : style.red('not answering');
    rows.push([name, s.endpoint, state, s.isLeader ? style.bold('★ leader') : s.up ? 'follower' : '-', s.raftTerm ?? '-', s.raftIndex ?? '-', s.revision ?? '-', s.dbSize !== undefined ? `${(s.dbSize / 1024).toFixed(0)} KiB` : '-']);
  }
  return table(rows);
}

function network(r: MemberReport, all: number): string {
  if (r.isolatedFrom.length === 0) return 'ok';
  return r.isolatedFrom.length === all - 1 ? style.yellow('isolated') : style.yellow(`cut from ${r.isolatedFrom.join(',')}`);
}

/**
 * The fault console's table: process, network, Raft role and term, raft
 * index, revision and KV hash of every member, then one line on agreement.
 */
export function faultTable(report: MemberReport[]): string {
  const rows = [['member', 'process', 'network', 'role', 'term', 'raft index', 'revision', 'kv hash'].map(style.bold)];
  for (const r of report) {
    const process = r.condition === 'up' ? style.green('up') : r.condition === 'paused' ? style.yellow('paused') : style.red('down');
    const role = r.isLeader ? style.bold('★ leader') : r.leaderName ? `follows ${r.leaderName}` : r.answering ? style.yellow('no leader') : '-';
    rows.push([r.name, process, network(r, report.length), role, r.raftTerm ?? '-', r.raftIndex ?? '-', r.revision ?? '-', r.hash !== undefined ? String(r.hash) : '-']);
  }
  return `${table(rows)}\n${agreement(report)}`;
}

/** Whether the members that answer hold the same data: one line, plain text (the console colours it, the dashboard shows it). */
export interface Agreement {
  /** 'same': every member that answers holds the newest data; 'behind': some hold older data; 'none': no member answers. */
  verdict: 'same' | 'behind' | 'none';
  text: string;
  /** The members with the newest revision (and its KV hash). */
  newest: string[];
}

/** "all 5 members hold the same data (revision 12)", or who is behind. */
export function agreementOf(report: Pick<MemberReport, 'name' | 'answering' | 'revision' | 'hash'>[]): Agreement {
  const answering = report.filter((r) => r.answering && r.revision !== undefined);
  if (answering.length === 0) return { verdict: 'none', text: 'no member answers', newest: [] };
  const newest = answering.reduce((a, b) => (BigInt(b.revision!) > BigInt(a.revision!) ? b : a));
  const same = answering.filter((r) => r.revision === newest.revision && r.hash === newest.hash);
  const silent = report.length - answering.length;
  const rest = silent ? `; ${silent} not answering` : '';
  const names = same.map((r) => r.name);
  if (same.length === answering.length) return { verdict: 'same', text: `${answering.length} of ${report.length} members hold the same data (revision ${newest.revision}, kv hash ${newest.hash ?? '?'})${rest}`, newest: names };
  const behind = answering.filter((r) => !same.includes(r)).map((r) => `${r.name} at revision ${r.revision}`);
  return { verdict: 'behind', text: `newest data: revision ${newest.revision} on ${names.join(', ')}; behind: ${behind.join(', ')}${rest}`, newest: names };
}

function agreement(report: MemberReport[]): string {
  const { verdict, text } = agreementOf(report);
  return verdict === 'none' ? style.red(text) : verdict === 'same' ? style.dim(text) : style.yellow(text);
}
