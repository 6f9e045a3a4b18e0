import { useEffect, useState } from "react";
import { UploadQueueContext } from "./use-upload-queue";
import type { ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { notifications } from "@mantine/notifications";
import { queryKeys } from "@/api/query-keys";
import { UploadQueue, type UploadQueueOptions } from "./upload-queue";

export function UploadQueueProvider({
  children,
  options,
}: {
  children: ReactNode;
  options?: Pick<UploadQueueOptions, "concurrency" | "pollInterval">;
}) {
  const client = useQueryClient();
  const [queue] = useState(
    () =>
      new UploadQueue({
        ...options,
        onUploaded: (item) =>
          client.invalidateQueries({ queryKey: queryKeys.models(item.projectId) }),
        onSettled: (item) => {
          client.invalidateQueries({ queryKey: queryKeys.models(item.projectId) });
          if (item.version) {
            client.setQueryData(queryKeys.version(item.version.id), item.version);
            client.invalidateQueries({ queryKey: queryKeys.modelVersions(item.version.model) });
          }
          if (item.state === "ready") {
            notifications.show({
              color: "teal",
              title: "Model ready",
              message: `${item.file.name} is processed and ready to explore.`,
            });
          } else if (item.state === "failed") {
            notifications.show({
              color: "red",
              title: `Processing failed: ${item.file.name}`,
              message: item.error,
              autoClose: 10000,
            });
          }
        },
      }),
  );
  useEffect(() => () => queue.dispose(), [queue]);
  return <UploadQueueContext.Provider value={queue}>{children}</UploadQueueContext.Provider>;
}
