// An execution's log lines in order of their sequence numbers, whatever order they
// arrive in (a reconnect may repeat lines; batches may overlap), without duplicates.

export type LogStream = "stdout" | "stderr" | "system";

export interface LogEntry {
  seq: number;
  stream: LogStream;
  text: string;
  ts?: string;
}

export class LogBuffer {
  readonly lines: LogEntry[] = [];
  /** Lines per stream, kept as lines arrive (a count over 100,000 lines per frame is not free). */
  readonly counts: Record<LogStream, number> = { stdout: 0, stderr: 0, system: 0 };
  private readonly seen = new Set<number>();

  /** The highest sequence number held (what a reconnect resumes after). */
  get lastSeq(): number {
    return this.lines.length ? this.lines[this.lines.length - 1].seq : 0;
  }

  get size(): number {
    return this.lines.length;
  }

  /** Adds lines; returns how many were new. Appending in order is O(1) per line. */
  add(entries: LogEntry[]): number {
    let added = 0;
    let unordered = false;
    for (const entry of entries) {
      if (this.seen.has(entry.seq)) continue;
      this.seen.add(entry.seq);
      if (this.lines.length && entry.seq < this.lines[this.lines.length - 1].seq) unordered = true;
      this.lines.push(entry);
      this.counts[entry.stream] = (this.counts[entry.stream] ?? 0) + 1;
      added += 1;
    }
    if (unordered) this.lines.sort((a, b) => a.seq - b.seq);
    return added;
  }

  clear(): void {
    this.lines.length = 0;
    this.seen.clear();
    this.counts.stdout = this.counts.stderr = this.counts.system = 0;
  }
}

export interface LogFilter {
  text: string;
  streams: LogStream[];
}

/** Indexes of the lines that pass the filter (all of them when it is empty). */
export function filterLines(lines: LogEntry[], filter: LogFilter): number[] | null {
  const needle = filter.text.trim().toLowerCase();
  const allStreams = filter.streams.length === 0 || filter.streams.length === 3;
  if (!needle && allStreams) return null;
  const streams = new Set(filter.streams);
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!allStreams && !streams.has(line.stream)) continue;
    if (needle && !line.text.toLowerCase().includes(needle)) continue;
    out.push(i);
  }
  return out;
}
