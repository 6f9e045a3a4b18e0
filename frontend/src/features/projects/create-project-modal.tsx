import { useState, type FormEvent } from "react";
import { Alert, Button, Group, Modal, Stack, Textarea, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { ApiError, errorMessage } from "@/api/client";
import { useCreateProject } from "@/api/projects";
import type { Project } from "@/api/types";

export function CreateProjectModal({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (project: Project) => void;
}) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useCreateProject();
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors : {};

  const close = () => {
    create.reset();
    setName("");
    setDescription("");
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), description: description.trim() },
      {
        onSuccess: (project) => {
          notifications.show({ color: "teal", message: `Project “${project.name}” created.` });
          close();
          onCreated(project);
        },
      },
    );
  };

  const generalError =
    create.error && !fieldErrors.name && !fieldErrors.description
      ? errorMessage(create.error)
      : null;

  return (
    <Modal opened={opened} onClose={close} title="New project" centered>
      <form onSubmit={submit} data-testid="create-project-form">
        <Stack>
          {generalError && (
            <Alert color="red" variant="light">
              {generalError}
            </Alert>
          )}
          <TextInput
            label="Name"
            placeholder="e.g. Schependomlaan housing"
            required
            data-autofocus
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={fieldErrors.name?.join(" ")}
          />
          <Textarea
            label="Description"
            placeholder="What is this project about? (optional)"
            autosize
            minRows={2}
            value={description}
            onChange={(event) => setDescription(event.currentTarget.value)}
            error={fieldErrors.description?.join(" ")}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create project
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
