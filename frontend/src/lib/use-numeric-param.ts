import { useParams } from "react-router";

/** Reads a numeric route parameter; NaN when absent or malformed. */
export function useNumericParam(name: string): number {
  const params = useParams();
  const raw = params[name];
  return raw && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
}
