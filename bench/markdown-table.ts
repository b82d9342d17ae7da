/** Markdown for the generated parts of docs/benchmarks.md. */
export const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
export const ms = (value: number) => `${Math.round(value * 100) / 100} ms`;
export const times = (value: number) => `${Math.round(value * 100) / 100}×`;
export const dayOf = (iso: string | undefined) => (iso ?? '').slice(0, 10);

export const table = (header: string[], rows: string[][]): string => {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
};
export const ms1 = (value: number) => `${Math.round(value * 10) / 10} ms`;
