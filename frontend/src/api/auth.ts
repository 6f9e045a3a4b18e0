import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, apiRequest, ensureCsrf } from "./client";
import { queryKeys } from "./query-keys";
import type { User } from "./types";

export async function getMe(): Promise<User | null> {
  try {
    return await apiRequest<User>("/api/auth/me/");
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
    throw error;
  }
}

export function login(username: string, password: string): Promise<User> {
  return apiRequest<User>("/api/auth/login/", {
    method: "POST",
    body: { username, password },
  });
}

export async function logout(): Promise<void> {
  await apiRequest<unknown>("/api/auth/logout/", { method: "POST" });
}

export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: getMe, staleTime: 60_000, retry: 1 });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ username, password }: { username: string; password: string }) => {
      await ensureCsrf();
      return login(username, password);
    },
    onSuccess: async (user) => {
      // Django rotates the CSRF token on login; fetch the fresh one.
      await ensureCsrf(true);
      client.clear();
      client.setQueryData(queryKeys.me, user);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      client.clear();
      client.setQueryData(queryKeys.me, null);
    },
  });
}
