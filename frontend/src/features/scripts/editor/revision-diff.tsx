import { useEffect, useRef } from "react";
import { python } from "@codemirror/lang-python";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { MergeView } from "@codemirror/merge";
import { basicSetup } from "codemirror";

/** Two revisions side by side, changes marked. */
export function RevisionDiff({ a, b }: { a: string; b: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const extensions = [
      basicSetup,
      python(),
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
    ];
    const merge = new MergeView({
      a: { doc: a, extensions },
      b: { doc: b, extensions },
      parent: host.current!,
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    return () => merge.destroy();
  }, [a, b]);
  return (
    <div
      ref={host}
      data-testid="revision-diff"
      style={{
        border: "1px solid var(--mantine-color-default-border)",
        maxHeight: 480,
        overflow: "auto",
        fontSize: 12,
      }}
    />
  );
}
