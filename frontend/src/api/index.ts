export * from "./client";
export * from "./types";
export * from "./query-keys";
export * from "./auth";
export * from "./projects";
export * from "./versions";
export * from "./catalog";
export * from "./upload";
