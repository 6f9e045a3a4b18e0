import { Group, Text } from "@mantine/core";
import { Link } from "react-router";

export function Logo() {
  return (
    <Link to="/projects" style={{ textDecoration: "none" }} aria-label="bimflow home">
      <Group gap={8} wrap="nowrap">
        <img src="/favicon.svg" width={26} height={26} alt="" />
        <Text fw={700} size="lg" c="var(--mantine-color-text)" visibleFrom="xs">
          bimflow
        </Text>
      </Group>
    </Link>
  );
}
