import { useEffect, useRef } from "react";
import { autocompletion } from "@codemirror/autocomplete";
import { json } from "@codemirror/lang-json";
import { python, pythonLanguage } from "@codemirror/lang-python";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { useComputedColorScheme } from "@mantine/core";
import { contextCompletions } from "./context-completions";

const theme = (dark: boolean) =>
  EditorView.theme(
    {
      "&": {
        fontSize: "13px",
        border: "1px solid var(--mantine-color-default-border)",
        borderRadius: "4px",
      },
      ".cm-scroller": { fontFamily: "var(--mantine-font-family-monospace)" },
      ".cm-gutters": { background: "transparent" },
    },
    { dark },
  );

/** CodeMirror 6 for Python (with the script context's names) or JSON. */
export function CodeEditor({
  value,
  onChange,
  language,
  height = 360,
  testId,
  readOnly = false,
}: {
  value: string;
  onChange?: (value: string) => void;
  language: "python" | "json";
  height?: number;
  testId: string;
  readOnly?: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const dark = useComputedColorScheme("light") === "dark";

  useEffect(() => {
    const extensions = [
      basicSetup,
      theme(dark),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChangeRef.current?.(update.state.doc.toString());
      }),
      EditorState.readOnly.of(readOnly),
      EditorView.theme({ "&": { height: `${height}px` }, ".cm-scroller": { overflow: "auto" } }),
    ];
    if (language === "python")
      extensions.push(
        python(),
        pythonLanguage.data.of({ autocomplete: contextCompletions }),
        autocompletion(),
      );
    else extensions.push(json());
    view.current = new EditorView({
      state: EditorState.create({ doc: value, extensions }),
      parent: host.current!,
    });
    return () => view.current?.destroy();
    // The document is handed over once; later edits come from the editor itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [language, dark, readOnly, height]);

  // Replace the document when the value changes from outside (a revision loaded).
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  return <div ref={host} data-testid={testId} />;
}
