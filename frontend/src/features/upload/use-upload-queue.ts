import { createContext, useContext, useMemo, useSyncExternalStore } from "react";
import type { UploadItem, UploadQueue } from "./upload-queue";

export const UploadQueueContext = createContext<UploadQueue | null>(null);

export function useUploadQueue(): UploadQueue {
  const queue = useContext(UploadQueueContext);
  if (!queue) throw new Error("useUploadQueue must be used inside UploadQueueProvider");
  return queue;
}

export function useUploadItems(projectId: number): UploadItem[] {
  const queue = useUploadQueue();
  const items = useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);
  return useMemo(() => items.filter((item) => item.projectId === projectId), [items, projectId]);
}
