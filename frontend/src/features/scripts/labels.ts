// Labels and colours shared by the scripts, validation and automation pages.

export const CATEGORY_LABELS: Record<string, string> = {
  validation: "Validation",
  export: "Export",
  analysis: "Analysis",
  custom: "Custom",
};

export const STATUS_COLORS: Record<string, string> = {
  queued: "gray",
  running: "blue",
  succeeded: "teal",
  failed: "red",
  timed_out: "orange",
  cancelled: "yellow",
  pending: "gray",
  skipped: "gray",
};

export const statusLabel = (status: string) =>
  status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, " ");

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export const SEVERITY_COLORS: Record<string, string> = {
  error: "red",
  warning: "orange",
  info: "blue",
};

export const STATE_COLORS: Record<string, string> = {
  new: "red",
  open: "gray",
  reopened: "orange",
  resolved: "teal",
};

export const OUTCOME_COLORS: Record<string, string> = {
  pass: "teal",
  warning: "orange",
  fail: "red",
  running: "blue",
  not_run: "gray",
};

export const OUTCOME_LABELS: Record<string, string> = {
  pass: "Pass",
  warning: "Warnings",
  fail: "Fail",
  running: "Running",
  not_run: "Not run",
};
