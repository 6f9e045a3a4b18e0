import { useState } from "react";
import { Button, Group, Menu, Modal, Stack, Textarea, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDots, IconPencil, IconTrash } from "@tabler/icons-react";
import { useNavigate } from "react-router";
import { errorMessage } from "@/api/client";
import { useDeleteProject, useUpdateProject } from "@/api/projects";
import type { Project } from "@/api/types";
import { confirmDestructive } from "@/components/confirm";
import { IconButton } from "@/components/icon-button";

export function ProjectSettingsMenu({ project }: { project: Project }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description ?? "");
  const update = useUpdateProject(project.id);
  const remove = useDeleteProject();
  const navigate = useNavigate();

  return (
    <>
      <Menu position="bottom-end" withArrow>
        <Menu.Target>
          <IconButton label="Project settings" variant="default" size="lg">
            <IconDots size={18} />
          </IconButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item
            leftSection={<IconPencil size={16} />}
            onClick={() => {
              setName(project.name);
              setDescription(project.description ?? "");
              setEditing(true);
            }}
          >
            Rename or describe
          </Menu.Item>
          <Menu.Item
            color="red"
            leftSection={<IconTrash size={16} />}
            onClick={() =>
              confirmDestructive({
                title: `Delete “${project.name}”?`,
                message:
                  "This deletes the project with every model, version, uploaded file and result in it. It cannot be undone.",
                confirmLabel: "Delete project",
                onConfirm: () =>
                  remove.mutate(project.id, {
                    onSuccess: () => {
                      notifications.show({
                        color: "teal",
                        message: `Project “${project.name}” deleted.`,
                      });
                      navigate("/projects");
                    },
                    onError: (error) =>
                      notifications.show({
                        color: "red",
                        title: "Could not delete the project",
                        message: errorMessage(error),
                      }),
                  }),
              })
            }
          >
            Delete project
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={editing} onClose={() => setEditing(false)} title="Edit project" centered>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            update.mutate(
              { name: name.trim(), description: description.trim() },
              {
                onSuccess: () => {
                  setEditing(false);
                  notifications.show({ color: "teal", message: "Project updated." });
                },
              },
            );
          }}
        >
          <Stack>
            <TextInput
              label="Name"
              required
              data-autofocus
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={update.isError ? errorMessage(update.error) : undefined}
            />
            <Textarea
              label="Description"
              autosize
              minRows={2}
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setEditing(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={update.isPending} disabled={!name.trim()}>
                Save
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
