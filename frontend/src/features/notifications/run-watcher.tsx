import { useEffect, useSyncExternalStore } from "react";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { getBatch } from "@/api/automation";
import { apiRequest } from "@/api/client";
import { getExecution } from "@/api/scripts";
import { isFinalStatus, type WorkflowRun } from "@/api/types";

import { setItems, subscribeWatched, watchedItems, type Watched } from "./watch-store";

const POLL_MS = 2000;

const COLORS: Record<string, string> = {
  succeeded: "teal",
  failed: "red",
  timed_out: "orange",
  cancelled: "yellow",
  skipped: "gray",
};

async function outcome(w: Watched): Promise<{ status: string; detail: string } | null> {
  if (w.kind === "execution") {
    const e = await getExecution(w.id);
    if (!isFinalStatus(e.status)) return null;
    return {
      status: e.status,
      detail:
        e.status === "succeeded"
          ? `${e.findings_count} findings, ${e.files.length} files.`
          : e.error,
    };
  }
  if (w.kind === "batch") {
    const b = await getBatch(w.id);
    if (b.status === "running") return null;
    return { status: b.status, detail: `${b.done} of ${b.total} succeeded, ${b.failed} failed.` };
  }
  const r = await apiRequest<WorkflowRun>(`/api/workflow-runs/${w.id}/`);
  if (r.status === "queued" || r.status === "running") return null;
  return { status: r.status, detail: r.reason };
}

/** Mounted once in the app shell: toasts when a watched run ends. */
export function RunWatcher() {
  const watched = useSyncExternalStore(subscribeWatched, watchedItems);
  const client = useQueryClient();
  useEffect(() => {
    if (watched.length === 0) return;
    let stopped = false;
    const tick = async () => {
      for (const w of watched) {
        let result: Awaited<ReturnType<typeof outcome>>;
        try {
          result = await outcome(w);
        } catch {
          // gone or not reachable: stop watching a run that no longer exists
          setItems(watchedItems().filter((x) => !(x.kind === w.kind && x.id === w.id)));
          continue;
        }
        if (stopped || !result) continue;
        setItems(watchedItems().filter((x) => !(x.kind === w.kind && x.id === w.id)));
        notifications.show({
          color: COLORS[result.status] ?? "blue",
          title: `${w.label}: ${result.status.replace("_", " ")}`,
          message: result.detail || "Finished.",
          autoClose: 8000,
          "data-testid": "run-toast",
          "data-status": result.status,
        });
        void client.invalidateQueries({ queryKey: ["notifications"] });
      }
    };
    const timer = setInterval(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [watched, client]);
  return null;
}
