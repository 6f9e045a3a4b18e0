import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { Badge, Button, Chip, Group, Stack, Text, TextInput } from "@mantine/core";
import { IconArrowDown, IconDownload, IconSearch } from "@tabler/icons-react";
import { formatNumber } from "@/lib/format";
import { filterLines, type LogEntry, type LogStream } from "./log-buffer";
import classes from "./log-viewer.module.css";

const ROW_HEIGHT = 20;
const OVERSCAN = 20;
const STREAMS: LogStream[] = ["stdout", "stderr", "system"];

export interface LogViewerProps {
  lines: LogEntry[];
  /** Lines per stream (else counted here). */
  counts?: Record<LogStream, number>;
  /** Changes whenever `lines` grew (it is mutated in place). */
  revision: number;
  downloadUrl?: string;
  height?: number | string;
  live?: boolean;
}

/** A virtualised log: line numbers, stdout/stderr/system styles, a text and stream
 * filter, and auto-scroll that pauses when the user scrolls up. */
export function LogViewer({
  lines,
  counts: givenCounts,
  revision,
  downloadUrl,
  height = 360,
  live,
}: LogViewerProps) {
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

  // Fixed-height rows: the window is computed from scrollTop alone, so a growing log
  // costs nothing per frame beyond the rows on screen (100,000 lines stay smooth).
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(typeof height === "number" ? height : 360);
  useLayoutEffect(() => {
    const el = viewport.current;
    if (el && el.clientHeight) setViewHeight(el.clientHeight);
  }, [height]);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewHeight) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    const el = viewport.current;
    if (!following || count === 0 || !el) return;
    const bottom = count * ROW_HEIGHT - el.clientHeight;
    if (bottom > el.scrollTop) {
      el.scrollTop = bottom;
      lastTop.current = el.scrollTop;
      setScrollTop(el.scrollTop);
    }
  }, [count, following, revision]);

  const onScroll = () => {
    const el = viewport.current;
    if (!el) return;
    // Following only ever scrolls down, so a move up is the user's: pause until they
    // come back to the bottom (new lines may have grown the log meanwhile).
    setScrollTop(el.scrollTop);
    const movedUp = el.scrollTop < lastTop.current - 1;
    lastTop.current = el.scrollTop;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= ROW_HEIGHT * 2;
    if (atBottom) setFollowing(true);
    else if (movedUp) setFollowing(false);
  };

  const ownCounts = useMemo(() => {
    if (givenCounts) return null;
    const out: Record<LogStream, number> = { stdout: 0, stderr: 0, system: 0 };
    for (const line of lines) out[line.stream] += 1;
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lines, revision, givenCounts]);
  const counts = givenCounts ?? ownCounts!;

  const rows = [];
  for (let i = first; i < last; i++) {
    const line = lines[visible ? visible[i] : i];
    if (!line) continue;
    rows.push(
      <div
        key={line.seq}
        className={`${classes.row} ${classes[line.stream]}`}
        style={{ transform: `translateY(${i * ROW_HEIGHT}px)` }}
        data-testid="log-line"
        data-seq={line.seq}
        data-stream={line.stream}
      >
        <span className={classes.num}>{line.seq}</span>
        <span className={classes.text} title={line.text.length > 200 ? line.text : undefined}>
          {line.text}
        </span>
      </div>,
    );
  }

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
          <div style={{ height: count * ROW_HEIGHT, position: "relative" }}>{rows}</div>
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
