import { useState } from "react";
import { act, fireEvent, screen } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "@/testing/render";
import { LogBuffer, filterLines, type LogEntry } from "./log-buffer";
import { LogViewer } from "./log-viewer";
import { useLogStream } from "./use-log-stream";

const line = (
  seq: number,
  stream: LogEntry["stream"] = "stdout",
  text = `line ${seq}`,
): LogEntry => ({
  seq,
  stream,
  text,
});

describe("LogBuffer", () => {
  it("keeps lines in sequence order whatever order they arrive in, without duplicates", () => {
    const buffer = new LogBuffer();
    expect(buffer.add([line(1), line(2), line(5)])).toBe(3);
    expect(buffer.add([line(4), line(3), line(2)])).toBe(2); // 2 was already there
    expect(buffer.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(buffer.lastSeq).toBe(5);
  });

  it("filters by text (ignoring case) and by stream", () => {
    const lines = [
      line(1, "stdout", "Opening"),
      line(2, "stderr", "warning: x"),
      line(3, "system", "Sandbox"),
    ];
    expect(filterLines(lines, { text: "", streams: ["stdout", "stderr", "system"] })).toBeNull();
    expect(filterLines(lines, { text: "OPEN", streams: ["stdout", "stderr", "system"] })).toEqual([
      0,
    ]);
    expect(filterLines(lines, { text: "", streams: ["stderr", "system"] })).toEqual([1, 2]);
    expect(filterLines(lines, { text: "x", streams: ["stdout"] })).toEqual([]);
  });
});

// jsdom lays nothing out: give the log's viewport a size so that the virtualiser
// renders rows (it reads clientHeight/clientWidth).
const sized = (value: number) => ({
  configurable: true,
  get(this: HTMLElement) {
    return this.dataset?.testid === "log-viewport" ? value : 0;
  },
});
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", sized(360));
  Object.defineProperty(HTMLElement.prototype, "clientWidth", sized(800));
});
afterAll(() => {
  delete (HTMLElement.prototype as unknown as Record<string, unknown>).clientHeight;
  delete (HTMLElement.prototype as unknown as Record<string, unknown>).clientWidth;
});

/** A stand-in for the browser's EventSource (the network boundary), driven by the test. */
class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  listeners = new Map<string, ((event: MessageEvent) => void)[]>();
  closed = false;
  constructor(public url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, fn: (event: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  emit(type: string, data: unknown, id?: number) {
    const event = new MessageEvent(type, {
      data: JSON.stringify(data),
      lastEventId: String(id ?? ""),
    });
    for (const fn of this.listeners.get(type) ?? []) fn(event);
  }
  fail() {
    this.readyState = 2;
    this.onerror?.();
  }
}

function StreamProbe({ id }: { id: number }) {
  const stream = useLogStream(id);
  return (
    <div data-testid="probe" data-ended={stream.ended} data-status={stream.status?.status ?? ""}>
      <LogViewer lines={stream.buffer.lines} revision={stream.revision} live={!stream.ended} />
    </div>
  );
}

const shownSeqs = () => screen.queryAllByTestId("log-line").map((el) => Number(el.dataset.seq));

describe("useLogStream with the LogViewer", () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.stubGlobal("EventSource", FakeEventSource);
    vi.useFakeTimers({
      toFake: ["setTimeout", "clearTimeout", "requestAnimationFrame", "cancelAnimationFrame"],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("shows lines in order with their numbers and streams, batched per frame", () => {
    renderWithApp(<StreamProbe id={7} />);
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe("/api/executions/7/events/");
    act(() => {
      source.emit("log", line(2, "stderr", "oops"), 2);
      source.emit("log", line(1, "system", "Sandbox: on"), 1);
      source.emit("log", line(3), 3);
    });
    expect(shownSeqs()).toEqual([]); // not yet: one render per animation frame
    act(() => {
      vi.advanceTimersByTime(20);
    });
    expect(shownSeqs()).toEqual([1, 2, 3]);
    const rows = screen.getAllByTestId("log-line");
    expect(rows[0]).toHaveAttribute("data-stream", "system");
    expect(rows[1]).toHaveTextContent("2oops");
    act(() => {
      source.emit("status", { status: "succeeded" }, 3);
      source.emit("end", { status: "succeeded" }, 3);
    });
    expect(screen.getByTestId("probe")).toHaveAttribute("data-ended", "true");
    expect(source.closed).toBe(true);
  });

  it("resumes after the last line held when the stream is refused, and drops repeats", () => {
    renderWithApp(<StreamProbe id={9} />);
    const first = FakeEventSource.instances[0];
    act(() => {
      for (let seq = 1; seq <= 4; seq++) first.emit("log", line(seq), seq);
      vi.advanceTimersByTime(20);
    });
    act(() => {
      first.fail();
    });
    expect(FakeEventSource.instances).toHaveLength(1);
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect(FakeEventSource.instances).toHaveLength(2);
    const second = FakeEventSource.instances[1];
    expect(second.url).toBe("/api/executions/9/events/?last_event_id=4");
    act(() => {
      second.emit("log", line(4), 4); // a repeat from an overlapping batch
      second.emit("log", line(5), 5);
      vi.advanceTimersByTime(20);
    });
    expect(shownSeqs()).toEqual([1, 2, 3, 4, 5]);
    expect(screen.getByTestId("log-viewer")).toHaveAttribute("data-line-count", "5");
  });
});

describe("LogViewer auto-scroll", () => {
  const lines = Array.from({ length: 500 }, (_, i) => line(i + 1));

  function viewport(scrollTop: number) {
    const el = screen.getByTestId("log-viewport");
    Object.defineProperty(el, "scrollHeight", { configurable: true, value: 10_000 });
    Object.defineProperty(el, "clientHeight", { configurable: true, value: 360 });
    el.scrollTop = scrollTop;
    return el;
  }

  let push: (more: LogEntry[]) => void = () => undefined;
  function Harness() {
    const [shown, setShown] = useState(lines);
    push = (more) => setShown((current) => [...current, ...more]);
    return <LogViewer lines={shown} revision={shown.length} live />;
  }

  it("pauses when the user scrolls up, resumes at the bottom or with the button", () => {
    renderWithApp(<Harness />);
    const viewer = screen.getByTestId("log-viewer");
    expect(viewer).toHaveAttribute("data-following", "true");
    fireEvent.scroll(viewport(9_640)); // at the bottom
    expect(viewer).toHaveAttribute("data-following", "true");
    fireEvent.scroll(viewport(4_000)); // the user scrolled up
    expect(viewer).toHaveAttribute("data-following", "false");
    // New lines do not pull the view back down while paused.
    act(() => push([line(501)]));
    expect(screen.getByTestId("log-viewer")).toHaveAttribute("data-following", "false");
    fireEvent.click(screen.getByTestId("log-resume"));
    expect(screen.getByTestId("log-viewer")).toHaveAttribute("data-following", "true");
    fireEvent.scroll(viewport(3_000));
    expect(screen.getByTestId("log-viewer")).toHaveAttribute("data-following", "false");
    fireEvent.scroll(viewport(9_640)); // scrolled back down by hand
    expect(screen.getByTestId("log-viewer")).toHaveAttribute("data-following", "true");
  });
});
