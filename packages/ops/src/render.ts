/** Plain-text output: aligned columns, padded to the widest cell. */
export function table(
  columns: Array<[key: string, header: string]>,
  rows: Array<Record<string, unknown>>,
): string {
  const cells = rows.map((row) => columns.map(([key]) => cell(row[key])));
  const headers = columns.map(([, header]) => header);
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => row[i]!.length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(headers), ...cells.map(line)].join("\n");
}

/** One `key  value` line per field, keys aligned. */
export function fields(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((key) => key.length));
  return Object.entries(record)
    .map(([key, value]) => `${key.padEnd(width)}  ${cell(value)}`)
    .join("\n");
}

/** 75 → "1m 15s", 93_600 → "1d 2h": the two largest units. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return "-";
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  const total = Math.round(seconds);
  const first = units.findIndex(([, size]) => total >= size);
  if (first < 0) return "0s";
  const [unit, size] = units[first]!;
  const count = Math.floor(total / size);
  const next = units[first + 1];
  const rest = next ? Math.floor((total - count * size) / next[1]) : 0;
  return rest ? `${count}${unit} ${rest}${next![0]}` : `${count}${unit}`;
}

function cell(value: unknown): string {
  if (value === undefined || value === null || value === "") return "-";
  return typeof value === "string" ? value : JSON.stringify(value);
}
