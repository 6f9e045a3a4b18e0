import { Button, Progress, Stack } from "@mantine/core";
import { IconAlertTriangle, IconHourglass } from "@tabler/icons-react";
import { Link } from "react-router";
import type { Version } from "@/api/types";
import { EmptyState } from "@/components/empty-state";

/** What data tabs show until the version's ingest has finished. */
export function NotReady({ version, what }: { version: Version; what: string }) {
  if (version.status === "failed") {
    return (
      <EmptyState
        icon={<IconAlertTriangle />}
        title="This version could not be processed"
        testId="version-not-ready"
        action={
          <Button component={Link} to={`/projects/${version.project}/models`} variant="light">
            Upload a corrected file
          </Button>
        }
      >
        {version.error || "Processing failed without a reason."} {what} cannot be shown for this
        version.
      </EmptyState>
    );
  }
  return (
    <EmptyState
      icon={<IconHourglass />}
      title={version.status === "uploaded" ? "Waiting for a worker" : "Processing the model"}
      testId="version-not-ready"
      action={
        <Stack w={260}>
          <Progress value={version.progress} animated aria-label="Processing progress" />
        </Stack>
      }
    >
      {what} will be shown as soon as processing finishes ({Math.round(version.progress)}% done).
      This page updates by itself.
    </EmptyState>
  );
}
