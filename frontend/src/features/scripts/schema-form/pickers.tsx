import { useMemo } from "react";
import { Select } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import { useModels } from "@/api/projects";
import { useExecutions, useProjectFiles } from "@/api/scripts";
import { listModelVersions } from "@/api/versions";
import { queryKeys } from "@/api/query-keys";

interface PickerProps {
  projectId?: number;
  label: string;
  description?: string;
  required: boolean;
  value: string;
  error?: string | null;
  onChange: (value: string) => void;
  placeholder?: string;
  testId: string;
}

/** A project file, of the given kind (x-kind) if any. */
export function ProjectFilePicker({ fileKind, ...props }: PickerProps & { fileKind?: string }) {
  const files = useProjectFiles(props.projectId);
  const data = (files.data ?? [])
    .filter((f) => !fileKind || f.kind === fileKind)
    .map((f) => ({ value: String(f.id), label: `${f.name} (${f.kind})` }));
  return (
    <Select
      label={props.label}
      description={props.description}
      required={props.required}
      data={data}
      value={props.value || null}
      onChange={(v) => props.onChange(v ?? "")}
      error={props.error}
      clearable
      searchable
      placeholder={
        files.isPending
          ? "Loading the project's files…"
          : data.length
            ? "Choose a project file"
            : `No ${fileKind ? fileKind.toUpperCase() + " " : ""}files in this project yet`
      }
      nothingFoundMessage="No such file"
      data-testid={props.testId}
    />
  );
}

/** A ready version of any model of the project, grouped by model. */
export function ModelVersionPicker(props: PickerProps) {
  const models = useModels(props.projectId ?? 0);
  const versions = useQueries({
    queries: (models.data ?? []).map((m) => ({
      queryKey: queryKeys.modelVersions(m.id),
      queryFn: () => listModelVersions(m.id),
    })),
  });
  const data = useMemo(
    () =>
      (models.data ?? []).map((m, i) => ({
        group: m.name,
        items: (versions[i]?.data ?? [])
          .filter((v) => v.status === "ready")
          .map((v) => ({ value: String(v.id), label: `${m.name} v${v.number}` })),
      })),
    [models.data, versions],
  );
  return (
    <Select
      label={props.label}
      description={props.description}
      required={props.required}
      data={data}
      value={props.value || null}
      onChange={(v) => props.onChange(v ?? "")}
      error={props.error}
      clearable
      searchable
      placeholder={props.placeholder ?? "Choose a model version"}
      data-testid={props.testId}
    />
  );
}

/** A finished execution of the project (the 50 most recent). */
export function ExecutionPicker(props: PickerProps) {
  const executions = useExecutions(
    { project: props.projectId, status: "succeeded,failed,timed_out" },
    1,
    props.projectId !== undefined,
  );
  const data = (executions.data?.results ?? []).map((e) => ({
    value: String(e.id),
    label: `#${e.id} ${e.script_name} on ${e.model_name} v${e.version_number} (${e.status}, ${e.findings_count} findings)`,
  }));
  return (
    <Select
      label={props.label}
      description={props.description}
      required={props.required}
      data={data}
      value={props.value || null}
      onChange={(v) => props.onChange(v ?? "")}
      error={props.error}
      clearable
      searchable
      placeholder="Choose a finished run"
      data-testid={props.testId}
    />
  );
}
