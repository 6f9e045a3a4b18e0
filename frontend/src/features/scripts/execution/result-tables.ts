// Lists of records in a script's result, shown as tables.

export type Row = Record<string, unknown>;

export const isRecord = (v: unknown): v is Row =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Lists of records in a result (the result itself, or its top-level keys). */
export function recordTables(result: unknown): { name: string; rows: Row[] }[] {
  const isRecords = (v: unknown): v is Row[] =>
    Array.isArray(v) && v.length > 0 && v.every(isRecord);
  if (isRecords(result)) return [{ name: "result", rows: result }];
  if (!isRecord(result)) return [];
  return Object.entries(result)
    .filter(([, v]) => isRecords(v))
    .map(([name, v]) => ({ name, rows: v as Row[] }));
}
