// Runs the user started in this browser tab: watched until they end (RunWatcher toasts).
import { useMemo } from "react";

export type Kind = "execution" | "batch" | "workflow-run";
export interface Watched {
  kind: Kind;
  id: number;
  label: string;
}

const KEY = "bimflow.watched-runs";
let items: Watched[] = (() => {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? "[]") as Watched[];
  } catch {
    return [];
  }
})();
const listeners = new Set<() => void>();

export function setItems(next: Watched[]) {
  items = next;
  try {
    sessionStorage.setItem(KEY, JSON.stringify(items));
  } catch {
    // private mode: watching still works for this page
  }
  for (const l of listeners) l();
}

function add(kind: Kind, id: number, label: string) {
  if (items.some((w) => w.kind === kind && w.id === id)) return;
  setItems([...items, { kind, id, label }]);
}

export function useRunWatcher() {
  return useMemo(
    () => ({
      execution: (id: number, label: string) => add("execution", id, label),
      batch: (id: number, label: string) => add("batch", id, label),
      workflowRun: (id: number, label: string) => add("workflow-run", id, label),
    }),
    [],
  );
}

export const watchedItems = () => items;

export function subscribeWatched(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
