import { useState } from "react";
import { Box, Text, UnstyledButton } from "@mantine/core";

const LIMIT = 200;

function Leaf({ value }: { value: unknown }) {
  const color =
    typeof value === "number"
      ? "blue"
      : typeof value === "boolean" || value === null
        ? "grape"
        : typeof value === "string"
          ? "teal"
          : undefined;
  return (
    <Text span c={color} ff="monospace" size="xs" style={{ wordBreak: "break-word" }}>
      {typeof value === "string" ? JSON.stringify(value) : String(value)}
    </Text>
  );
}

function Node({
  name,
  value,
  path,
  depth,
}: {
  name: string;
  value: unknown;
  path: string;
  depth: number;
}) {
  const isContainer = value !== null && typeof value === "object";
  const [open, setOpen] = useState(depth < 2);
  const [shown, setShown] = useState(LIMIT);
  if (!isContainer) {
    return (
      <Box
        pl={depth ? 14 : 0}
        data-testid="json-leaf"
        data-path={path}
        data-value={JSON.stringify(value)}
      >
        <Text span size="xs" ff="monospace" fw={600}>
          {name}
        </Text>
        <Text span size="xs" ff="monospace">
          {": "}
        </Text>
        <Leaf value={value} />
      </Box>
    );
  }
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value as Record<string, unknown>);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  return (
    <Box pl={depth ? 14 : 0} data-testid="json-node" data-path={path}>
      <UnstyledButton onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        <Text span size="xs" ff="monospace" fw={600}>
          {open ? "▾ " : "▸ "}
          {name}
        </Text>{" "}
        <Text span size="xs" c="dimmed" ff="monospace">
          {summary}
        </Text>
      </UnstyledButton>
      {open && (
        <>
          {entries.slice(0, shown).map(([key, child]) => (
            <Node
              key={key}
              name={key}
              value={child}
              path={path ? `${path}.${key}` : key}
              depth={depth + 1}
            />
          ))}
          {entries.length > shown && (
            <UnstyledButton pl={14} onClick={() => setShown((s) => s + LIMIT)}>
              <Text size="xs" c="blue">
                Show {Math.min(LIMIT, entries.length - shown)} more of {entries.length - shown}
              </Text>
            </UnstyledButton>
          )}
        </>
      )}
    </Box>
  );
}

/** A collapsible tree of any JSON value (the first two levels open). */
export function JsonTree({ value, name = "result" }: { value: unknown; name?: string }) {
  return (
    <Box data-testid="json-tree">
      <Node name={name} value={value} path="" depth={0} />
    </Box>
  );
}
