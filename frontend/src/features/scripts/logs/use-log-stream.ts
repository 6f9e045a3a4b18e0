import { useEffect, useRef, useState } from "react";
import { executionEventsUrl } from "@/api/scripts";
import { LogBuffer, type LogEntry } from "./log-buffer";

export interface StreamStatus {
  status: string;
  error?: string;
  exit_code?: number | null;
  duration_ms?: number | null;
  findings_count?: number;
  log_count?: number;
}

export interface LogStreamState {
  buffer: LogBuffer;
  /** Bumped whenever lines were added (the buffer is mutated in place). */
  revision: number;
  status: StreamStatus | null;
  ended: boolean;
  connected: boolean;
  reconnects: number;
}

const RECONNECT_MS = 1000;

/** The execution's live events (SSE): log lines into a buffer, batched per animation
 * frame; resumes after the last line held (Last-Event-ID) if the stream drops. */
export function useLogStream(executionId: number | null): LogStreamState {
  const bufferRef = useRef(new LogBuffer());
  const [revision, setRevision] = useState(0);
  const [status, setStatus] = useState<StreamStatus | null>(null);
  const [ended, setEnded] = useState(false);
  const [connected, setConnected] = useState(false);
  const [reconnects, setReconnects] = useState(0);

  useEffect(() => {
    if (executionId === null) return;
    const buffer = bufferRef.current;
    buffer.clear();
    setRevision((r) => r + 1);
    setStatus(null);
    setEnded(false);
    let source: EventSource | null = null;
    let pending: LogEntry[] = [];
    let frame: number | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let closed = false;

    const flush = () => {
      frame = null;
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      if (buffer.add(batch) > 0) setRevision((r) => r + 1);
    };
    const schedule = () => {
      if (frame !== null) return;
      frame =
        typeof requestAnimationFrame === "function"
          ? requestAnimationFrame(flush)
          : (setTimeout(flush, 16) as unknown as number);
    };

    const open = (after: number) => {
      const url = executionEventsUrl(executionId) + (after > 0 ? `?last_event_id=${after}` : "");
      source = new EventSource(url, { withCredentials: true });
      source.onopen = () => setConnected(true);
      source.addEventListener("log", (event) => {
        pending.push(JSON.parse((event as MessageEvent).data) as LogEntry);
        schedule();
      });
      source.addEventListener("status", (event) => {
        setStatus(JSON.parse((event as MessageEvent).data) as StreamStatus);
      });
      source.addEventListener("end", () => {
        flush();
        closed = true;
        source?.close();
        setConnected(false);
        setEnded(true);
      });
      source.onerror = () => {
        setConnected(false);
        // The browser retries by itself (sending Last-Event-ID) unless the stream was
        // refused; then start a new one after the last line held.
        if (source && source.readyState === 2 && !closed) {
          source.close();
          retry = setTimeout(() => {
            flush();
            setReconnects((n) => n + 1);
            open(buffer.lastSeq);
          }, RECONNECT_MS);
        }
      };
    };
    open(0);
    return () => {
      closed = true;
      source?.close();
      if (retry) clearTimeout(retry);
      if (frame !== null && typeof cancelAnimationFrame === "function") cancelAnimationFrame(frame);
    };
  }, [executionId]);

  return { buffer: bufferRef.current, revision, status, ended, connected, reconnects };
}
