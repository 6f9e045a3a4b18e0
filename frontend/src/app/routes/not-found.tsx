import { Button } from "@mantine/core";
import { IconMapSearch } from "@tabler/icons-react";
import { Link } from "react-router";
import { EmptyState } from "@/components/empty-state";

export function NotFoundRoute() {
  return (
    <EmptyState
      icon={<IconMapSearch />}
      title="Page not found"
      testId="not-found"
      action={
        <Button component={Link} to="/projects">
          Go to projects
        </Button>
      }
    >
      The address does not match any page in bimflow. It may have been mistyped, or the item was
      deleted.
    </EmptyState>
  );
}
