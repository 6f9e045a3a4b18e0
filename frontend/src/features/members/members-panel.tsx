import { useState, type FormEvent } from "react";
import {
  Alert,
  Autocomplete,
  Button,
  Group,
  Paper,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconTrash, IconUserPlus, IconUsers } from "@tabler/icons-react";
import { useMe } from "@/api/auth";
import { ApiError, errorMessage } from "@/api/client";
import { useMemberMutations, useMembers, useUserSearch } from "@/api/projects";
import type { Member, Role } from "@/api/types";
import { confirmDestructive } from "@/components/confirm";
import { EmptyState } from "@/components/empty-state";
import { IconButton } from "@/components/icon-button";
import { LoadError } from "@/components/query-state";
import { RoleBadge } from "@/features/projects/role-badge";

const ROLES: { value: Role; label: string; description: string }[] = [
  { value: "viewer", label: "Viewer", description: "sees models and results" },
  { value: "coordinator", label: "Coordinator", description: "also uploads and runs scripts" },
  { value: "admin", label: "Admin", description: "also manages members and deletes" },
];

const fail = (title: string) => (error: unknown) =>
  notifications.show({ color: "red", title, message: errorMessage(error) });

function AddMemberForm({ projectId }: { projectId: number }) {
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const { add } = useMemberMutations(projectId);
  const [search] = useDebouncedValue(username.trim(), 200);
  const users = useUserSearch(search);
  const suggestions = (users.data ?? []).map((user) => user.username);
  // The server's sentences about a field belong under that field; others go above.
  const fieldErrors = add.error instanceof ApiError ? add.error.fieldErrors : {};
  const usernameError = (fieldErrors.username ?? fieldErrors.user)?.join(" ");
  const roleError = fieldErrors.role?.join(" ");
  const generalError = add.error && !usernameError && !roleError ? errorMessage(add.error) : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      { username: username.trim(), role },
      {
        onSuccess: (member) => {
          notifications.show({
            color: "teal",
            message: `${member.username} added as ${member.role}.`,
          });
          setUsername("");
          add.reset();
        },
      },
    );
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} data-testid="add-member-form">
      <Group align="flex-start" wrap="wrap">
        <Autocomplete
          label="Username"
          placeholder="An existing bimflow user"
          data={suggestions}
          onChange={(value) => {
            setUsername(value);
            if (add.isError) add.reset();
          }}
          limit={8}
          value={username}
          error={usernameError}
          data-testid="add-member-username"
          required
          style={{ flex: 1, minWidth: 200 }}
        />
        <Select
          label="Role"
          data={ROLES.map((r) => ({ value: r.value, label: `${r.label}: ${r.description}` }))}
          value={role}
          onChange={(value) => value && setRole(value as Role)}
          allowDeselect={false}
          error={roleError}
          w={320}
        />
        <Button
          type="submit"
          mt={25}
          leftSection={<IconUserPlus size={16} />}
          loading={add.isPending}
          disabled={!username.trim()}
        >
          Add member
        </Button>
      </Group>
      {generalError && (
        <Alert color="red" variant="light" mt="sm" data-testid="add-member-error">
          {generalError}
        </Alert>
      )}
    </Paper>
  );
}

function MemberRow({
  member,
  projectId,
  canManage,
  isSelf,
}: {
  member: Member;
  projectId: number;
  canManage: boolean;
  isSelf: boolean;
}) {
  const { update, remove } = useMemberMutations(projectId);
  return (
    <Table.Tr data-testid="member-row" data-username={member.username}>
      <Table.Td>
        <Text fw={500}>
          {member.username}
          {isSelf && (
            <Text span c="dimmed" size="sm">
              {" "}
              (you)
            </Text>
          )}
        </Text>
      </Table.Td>
      <Table.Td>
        {canManage ? (
          <Select
            aria-label={`Role of ${member.username}`}
            data={ROLES.map((r) => ({ value: r.value, label: r.label }))}
            value={member.role}
            allowDeselect={false}
            w={160}
            size="xs"
            disabled={update.isPending}
            onChange={(value) =>
              value &&
              value !== member.role &&
              update.mutate(
                { userId: member.user, role: value as Role },
                {
                  onSuccess: () =>
                    notifications.show({
                      color: "teal",
                      message: `${member.username} is now ${value}.`,
                    }),
                  onError: fail(`Could not change the role of ${member.username}`),
                },
              )
            }
          />
        ) : (
          <RoleBadge role={member.role} />
        )}
      </Table.Td>
      {canManage && (
        <Table.Td w={60}>
          <IconButton
            label={`Remove ${member.username} from the project`}
            color="red"
            loading={remove.isPending}
            onClick={() =>
              confirmDestructive({
                title: "Remove member",
                message: `Remove ${member.username} from this project? They will lose access to its models and results.`,
                confirmLabel: "Remove member",
                onConfirm: () =>
                  remove.mutate(member.user, {
                    onSuccess: () =>
                      notifications.show({ color: "teal", message: `${member.username} removed.` }),
                    onError: fail(`Could not remove ${member.username}`),
                  }),
              })
            }
          >
            <IconTrash size={16} />
          </IconButton>
        </Table.Td>
      )}
    </Table.Tr>
  );
}

export function MembersPanel({ projectId, role }: { projectId: number; role: Role }) {
  const members = useMembers(projectId);
  const me = useMe();
  const canManage = role === "admin";

  return (
    <Stack>
      {canManage ? (
        <AddMemberForm projectId={projectId} />
      ) : (
        <Text size="sm" c="dimmed" data-testid="members-read-only">
          Only project admins can add or remove members and change roles.
        </Text>
      )}
      {members.isPending && <Skeleton height={160} />}
      {members.isError && (
        <LoadError error={members.error} what="members" onRetry={() => members.refetch()} />
      )}
      {members.isSuccess && members.data.length === 0 && (
        <EmptyState icon={<IconUsers />} title="No members">
          Add people by their bimflow username.
        </EmptyState>
      )}
      {members.isSuccess && members.data.length > 0 && (
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing="xs" data-testid="members-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Role</Table.Th>
                {canManage && <Table.Th aria-label="Actions" />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.data.map((member) => (
                <MemberRow
                  key={member.user}
                  member={member}
                  projectId={projectId}
                  canManage={canManage}
                  isSelf={me.data?.id === member.user}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
