import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, unwrapList } from "./client";
import { queryKeys } from "./query-keys";
import type { Member, Model, Paginated, Project, Role, UserBrief } from "./types";

type ListOrPage<T> = T[] | Paginated<T>;

export async function listProjects(): Promise<Project[]> {
  const data = await apiRequest<ListOrPage<Project>>("/api/projects/", {
    query: { page_size: 1000 },
  });
  return unwrapList(data);
}

export const getProject = (id: number) => apiRequest<Project>(`/api/projects/${id}/`);

export const createProject = (input: { name: string; description: string }) =>
  apiRequest<Project>("/api/projects/", { method: "POST", body: input });

export const updateProject = (id: number, input: Partial<Pick<Project, "name" | "description">>) =>
  apiRequest<Project>(`/api/projects/${id}/`, { method: "PATCH", body: input });

export const deleteProject = (id: number) =>
  apiRequest<void>(`/api/projects/${id}/`, { method: "DELETE" });

export async function listMembers(projectId: number): Promise<Member[]> {
  const data = await apiRequest<ListOrPage<Member>>(`/api/projects/${projectId}/members/`, {
    query: { page_size: 1000 },
  });
  return unwrapList(data);
}

export const addMember = (projectId: number, input: { username: string; role: Role }) =>
  apiRequest<Member>(`/api/projects/${projectId}/members/`, { method: "POST", body: input });

export const updateMember = (projectId: number, userId: number, role: Role) =>
  apiRequest<Member>(`/api/projects/${projectId}/members/${userId}/`, {
    method: "PATCH",
    body: { role },
  });

export const removeMember = (projectId: number, userId: number) =>
  apiRequest<void>(`/api/projects/${projectId}/members/${userId}/`, { method: "DELETE" });

/** Active users whose username starts with `prefix` (to add as members). */
export async function searchUsers(prefix: string): Promise<UserBrief[]> {
  const data = await apiRequest<ListOrPage<UserBrief>>("/api/users/", {
    query: { search: prefix, page_size: 20 },
  });
  return unwrapList(data);
}

export async function listModels(projectId: number): Promise<Model[]> {
  const data = await apiRequest<ListOrPage<Model>>(`/api/projects/${projectId}/models/`, {
    query: { page_size: 1000 },
  });
  return unwrapList(data);
}

export function useProjects() {
  return useQuery({ queryKey: queryKeys.projects, queryFn: listProjects });
}

export function useProject(id: number | null | undefined) {
  return useQuery({
    queryKey: queryKeys.project(id ?? 0),
    queryFn: () => getProject(id!),
    enabled: typeof id === "number" && id > 0,
  });
}

export function useCreateProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createProject,
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects }),
  });
}

export function useUpdateProject(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: Partial<Pick<Project, "name" | "description">>) => updateProject(id, input),
    onSuccess: (project) => {
      client.setQueryData(queryKeys.project(id), project);
      return client.invalidateQueries({ queryKey: queryKeys.projects, exact: true });
    },
  });
}

export function useDeleteProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteProject,
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects }),
  });
}

export function useMembers(projectId: number) {
  return useQuery({
    queryKey: queryKeys.members(projectId),
    queryFn: () => listMembers(projectId),
  });
}

export function useUserSearch(prefix: string) {
  return useQuery({
    queryKey: queryKeys.users(prefix),
    queryFn: () => searchUsers(prefix),
    enabled: prefix.length > 0,
    staleTime: 30_000,
  });
}

export function useMemberMutations(projectId: number) {
  const client = useQueryClient();
  const invalidate = () => client.invalidateQueries({ queryKey: queryKeys.members(projectId) });
  return {
    add: useMutation({
      mutationFn: (input: { username: string; role: Role }) => addMember(projectId, input),
      onSuccess: invalidate,
    }),
    update: useMutation({
      mutationFn: ({ userId, role }: { userId: number; role: Role }) =>
        updateMember(projectId, userId, role),
      onSuccess: invalidate,
    }),
    remove: useMutation({
      mutationFn: (userId: number) => removeMember(projectId, userId),
      onSuccess: invalidate,
    }),
  };
}

const isBusy = (model: Model) =>
  model.latest_version?.status === "uploaded" || model.latest_version?.status === "processing";

export function useModels(projectId: number) {
  return useQuery({
    queryKey: queryKeys.models(projectId),
    queryFn: () => listModels(projectId),
    // Keep the table's status badges live while something is being ingested.
    refetchInterval: (query) => (query.state.data?.some(isBusy) ? 2000 : false),
  });
}
