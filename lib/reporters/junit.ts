/** JUnit XML, which every CI system can show: one test suite per lab, one test case per check. */
import type { LabResult } from '../runner/results.ts';
import { detailsText } from './check-details.ts';

function xml(text: string): string {
  // XML 1.0 forbids most control characters, even escaped.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function junitXml(results: LabResult[], name = 'etcd lab workbook'): string {
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const count = (r: LabResult, s: string) => r.checks.filter((c) => c.status === s).length;
  const all = results.flatMap((r) => r.checks);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" tests="${all.length}" failures="${all.filter((c) => c.status === 'failed').length}" time="${secs(results.reduce((t, r) => t + r.ms, 0))}">`,
  ];
  for (const r of results) {
    lines.push(`  <testsuite name="lab ${r.lab.id} ${xml(r.lab.slug)}" tests="${r.checks.length}" failures="${count(r, 'failed')}" skipped="${count(r, 'skipped')}" time="${secs(r.ms)}">`);
    lines.push(`    <properties><property name="seed" value="${r.seed}"/></properties>`);
    for (const c of r.checks) {
      const open = `    <testcase classname="lab${r.lab.id}.${xml(r.lab.slug)}" name="${xml(`${c.id}: ${c.title}`)}" time="${secs(c.ms)}"`;
      if (c.status === 'passed') lines.push(`${open}/>`);
      else if (c.status === 'skipped') lines.push(`${open}><skipped message="${xml(c.message ?? '')}"/></testcase>`);
      else lines.push(`${open}><failure message="${xml(c.message ?? 'failed')}">${xml(detailsText(c))}</failure></testcase>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
