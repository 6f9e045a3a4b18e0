import { useEffect, useMemo, useRef, useState } from "react";
import { Badge, Button, Chip, Group, Stack, Text, TextInput } from "@mantine/core";
import { IconArrowDown, IconDownload, IconSearch } from "@tabler/icons-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { formatNumber } from "@/lib/format";
import { filterLines, type LogEntry, type LogStream } from "./log-buffer";
import classes from "./log-viewer.module.css";

const ROW_HEIGHT = 20;
const STREAMS: LogStream[] = ["stdout", "stderr", "system"];

export interface LogViewerProps {
  lines: LogEntry[];
  /** Changes whenever `lines` grew (it is mutated in place). */
  revision: number;
  downloadUrl?: string;
  height?: number | string;
  live?: boolean;
}

/** A virtualised log: line numbers, stdout/stderr/system styles, a text and stream
 * filter, and auto-scroll that pauses when the user scrolls up. */
export function LogViewer({ lines, revision, downloadUrl, height = 360, live }: LogViewerProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const [text, setText] = useState("");
  const [streams, setStreams] = useState<LogStream[]>(STREAMS);
  const [following, setFollowing] = useState(true);
  const lastTop = useRef(0);

  // Recomputed when lines arrive or the filter changes; null means "every line".
  const visible = useMemo(
    () => filterLines(lines, { text, streams }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [lines, revision, text, streams],
  );
  const count = visible ? visible.length : lines.length;

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => viewport.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  useEffect(() => {
    if (!following || count === 0) return;
    virtualizer.scrollToIndex(count - 1, { align: "end" });
  }, [count, following, virtualizer, revision]);

  const onScroll = () => {
    const el = viewport.current;
    if (!el) return;
    // Following only ever scrolls down, so a move up is the user's: pause until they
    // come back to the bottom (new lines may have grown the log meanwhile).
    const movedUp = el.scrollTop < lastTop.current - 1;
    lastTop.current = el.scrollTop;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= ROW_HEIGHT * 2;
    if (atBottom) setFollowing(true);
    else if (movedUp) setFollowing(false);
  };

  const counts = useMemo(() => {
    const out: Record<LogStream, number> = { stdout: 0, stderr: 0, system: 0 };
    for (const line of lines) out[line.stream] += 1;
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lines, revision]);

  return (
    <Stack
      gap={6}
      data-testid="log-viewer"
      data-line-count={lines.length}
      data-following={following}
    >
      <Group gap="xs" wrap="wrap" justify="space-between">
        <Group gap="xs" wrap="wrap">
          <TextInput
            size="xs"
            placeholder="Filter lines"
            leftSection={<IconSearch size={14} />}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            aria-label="Filter log lines"
            data-testid="log-filter"
            w={200}
          />
          <Chip.Group multiple value={streams} onChange={(v) => setStreams(v as LogStream[])}>
            <Group gap={4}>
              {STREAMS.map((s) => (
                <Chip key={s} value={s} size="xs" data-testid={`log-stream-${s}`}>
                  {s} {formatNumber(counts[s])}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        </Group>
        <Group gap="xs">
          {live && (
            <Badge color="blue" variant="dot" data-testid="log-live">
              Live
            </Badge>
          )}
          <Text size="xs" c="dimmed" data-testid="log-count">
            {visible ? `${formatNumber(count)} of ` : ""}
            {formatNumber(lines.length)} lines
          </Text>
          {downloadUrl && (
            <Button
              size="compact-xs"
              variant="default"
              component="a"
              href={downloadUrl}
              download
              leftSection={<IconDownload size={12} />}
              data-testid="log-download"
            >
              Download
            </Button>
          )}
        </Group>
      </Group>
      <div style={{ position: "relative" }}>
        <div
          ref={viewport}
          className={classes.viewport}
          style={{ height }}
          onScroll={onScroll}
          data-testid="log-viewport"
          role="log"
          aria-live="off"
          tabIndex={0}
        >
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => {
              const line = lines[visible ? visible[item.index] : item.index];
              if (!line) return null;
              return (
                <div
                  key={line.seq}
                  className={`${classes.row} ${classes[line.stream]}`}
                  style={{ transform: `translateY(${item.start}px)` }}
                  data-testid="log-line"
                  data-seq={line.seq}
                  data-stream={line.stream}
                >
                  <span className={classes.num}>{line.seq}</span>
                  <span
                    className={classes.text}
                    title={line.text.length > 200 ? line.text : undefined}
                  >
                    {line.text}
                  </span>
                </div>
              );
            })}
          </div>
          {lines.length === 0 && (
            <Text size="xs" c="dimmed" p="xs">
              {live ? "Waiting for output…" : "No output."}
            </Text>
          )}
        </div>
        {!following && (
          <Button
            size="compact-xs"
            variant="filled"
            leftSection={<IconArrowDown size={12} />}
            style={{ position: "absolute", right: 16, bottom: 10 }}
            onClick={() => setFollowing(true)}
            data-testid="log-resume"
          >
            Follow new lines
          </Button>
        )}
      </div>
    </Stack>
  );
}
