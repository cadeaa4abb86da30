/** Plain-text tables for the terminal: columns padded to their widest cell (colour codes do not count). */
const visible = (cell: string) => cell.replace(/\x1b\[[0-9;]*m/g, '').length;

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => visible(r[i] ?? ''))));
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat(widths[i] - visible(cell))).join('  ').trimEnd()).join('\n');
}
