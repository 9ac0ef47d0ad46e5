/**
 * Where to send a user back to after signing up or in: a path on this
 * site only. Anything else (another host, `//host`, a backslash trick, a
 * scheme) falls back, so a crafted link cannot bounce users elsewhere.
 */
export function safeReturnPath(
  value: string | null | undefined,
  fallback = "/dashboard",
): string {
  if (!value || value.length > 512) return fallback;
  if (!/^\/(?![/\\])[A-Za-z0-9\-._~/?=&%]*$/.test(value)) return fallback;
  return value;
}
