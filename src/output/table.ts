import { cleanMarked, visibleLength } from './sanitize.js';

/** Plain-text tables for the human renderer. Width is measured without colour; a cell is one line, whatever it holds. */
export { visibleLength };

export interface Column<T> {
  header: string;
  get: (row: T) => string | number | boolean | undefined | null;
}

export function renderTable<T>(rows: T[], columns: Column<T>[], style: (h: string) => string = (h) => h): string {
  const cells = rows.map((r) =>
    columns.map((c) => {
      const v = c.get(r);
      return v === undefined || v === null ? '' : cleanMarked(String(v), { oneLine: true });
    }),
  );
  const widths = columns.map((c, i) => cells.reduce((w, row) => Math.max(w, visibleLength(row[i]!)), c.header.length));
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - visibleLength(s)));
  const lines = [
    columns
      .map((c, i) => style(pad(c.header, widths[i]!)))
      .join('  ')
      .trimEnd(),
  ];
  for (const row of cells)
    lines.push(
      row
        .map((s, i) => pad(s, widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  return lines.join('\n');
}
