/** Plain-text tables for the human renderer. Width is measured without ANSI escapes. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

export interface Column<T> {
  header: string;
  get: (row: T) => string | number | boolean | undefined | null;
}

export function renderTable<T>(rows: T[], columns: Column<T>[], style: (h: string) => string = (h) => h): string {
  const cells = rows.map((r) => columns.map((c) => {
    const v = c.get(r);
    return v === undefined || v === null ? '' : String(v);
  }));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => visibleLength(row[i]!))));
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - visibleLength(s)));
  const lines = [columns.map((c, i) => style(pad(c.header, widths[i]!))).join('  ').trimEnd()];
  for (const row of cells) lines.push(row.map((s, i) => pad(s, widths[i]!)).join('  ').trimEnd());
  return lines.join('\n');
}
