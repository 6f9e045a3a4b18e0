import { Badge, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCopy, IconEdit } from "@tabler/icons-react";
import { errorMessage } from "@/api/client";
import { copyScript, useInvalidateScripts, useRunScript } from "@/api/scripts";
import type { Execution, Script, Version } from "@/api/types";
import { formatDateTime } from "@/lib/format";
import { useRunWatcher } from "@/features/notifications/watch-store";
import { CATEGORY_LABELS } from "./labels";
import { SchemaForm } from "./schema-form/schema-form";

/** A script's description and the form that runs it on this version. */
export function ScriptDetails({
  script,
  version,
  canRun,
  onStarted,
  onEdit,
  onCopied,
  rerunOf,
}: {
  script: Script;
  version: Version;
  canRun: boolean;
  onStarted: (execution: Execution) => void;
  onEdit: () => void;
  onCopied: (script: Script) => void;
  rerunOf?: Record<string, unknown>;
}) {
  const run = useRunScript();
  const watch = useRunWatcher();
  const invalidate = useInvalidateScripts();
  const copy = async () => {
    try {
      const made = await copyScript(script.slug, { project: version.project });
      await invalidate();
      notifications.show({
        color: "teal",
        message: `Copied to "${made.name}"; it is yours to edit.`,
      });
      onCopied(made);
    } catch (error) {
      notifications.show({ color: "red", title: "Could not copy", message: errorMessage(error) });
    }
  };
  return (
    <Card withBorder padding="md" data-testid="script-details" data-slug={script.slug}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            <Group gap="xs">
              <Title order={2} size="h4" data-testid="script-name">
                {script.name}
              </Title>
              <Badge variant="light">{CATEGORY_LABELS[script.category] ?? script.category}</Badge>
              {script.builtin && (
                <Badge variant="outline" color="gray">
                  built-in
                </Badge>
              )}
              {script.is_public && !script.builtin && (
                <Badge variant="outline">shared with the project</Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed" mt={2}>
              {script.slug} · revision {script.revision}
              {script.owner ? ` · by ${script.owner}` : ""} · updated{" "}
              {formatDateTime(script.updated_at)}
            </Text>
          </div>
          <Group gap="xs" wrap="nowrap">
            {script.can_edit ? (
              <Button
                size="xs"
                variant="default"
                leftSection={<IconEdit size={14} />}
                onClick={onEdit}
                data-testid="edit-script"
              >
                Edit
              </Button>
            ) : (
              canRun && (
                <Button
                  size="xs"
                  variant="default"
                  leftSection={<IconCopy size={14} />}
                  onClick={copy}
                  data-testid="copy-script"
                >
                  Copy to edit
                </Button>
              )
            )}
          </Group>
        </Group>
        {script.description && (
          <Text size="sm" data-testid="script-description">
            {script.description}
          </Text>
        )}
        {canRun ? (
          <SchemaForm
            key={`${script.id}-${script.revision}-${JSON.stringify(rerunOf ?? null)}`}
            schema={script.parameters_schema}
            projectId={version.project}
            initial={rerunOf}
            busy={run.isPending}
            serverError={run.error ? errorMessage(run.error) : null}
            submitLabel={`Run on v${version.number}`}
            onSubmit={(parameters) =>
              run.mutate(
                { script: script.slug, version: version.id, parameters },
                {
                  onSuccess: (execution) => {
                    watch.execution(
                      execution.id,
                      `${script.name} on ${version.model_name} v${version.number}`,
                    );
                    onStarted(execution);
                  },
                },
              )
            }
          />
        ) : (
          <Text size="sm" c="dimmed">
            {version.status === "ready"
              ? "Viewers can look at runs; a coordinator or admin can run scripts."
              : "Scripts run on ready versions."}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
