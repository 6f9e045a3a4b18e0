/** How an element outside any storey is labelled everywhere. */
export const NO_STOREY = "(not in a storey)";

/** A storey row of the statistics as people read it (the API says "(no storey)"). */
export function storeyLabel(row: { storey: string | null; storey_guid: string | null }): string {
  return row.storey_guid ? (row.storey ?? "(unnamed storey)") : NO_STOREY;
}
