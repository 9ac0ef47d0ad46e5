import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** `shared/` sits beside the repository, in development and in CI. */
export const fixturesDir =
  process.env.SHARED_FIXTURES_DIR ??
  resolve(import.meta.dirname, "../../../shared/fixtures");

export function fixtureText(path: string): string {
  return readFileSync(join(fixturesDir, path), "utf8");
}

export function fixtureJson<T = Record<string, any>>(path: string): T {
  return JSON.parse(fixtureText(path)) as T;
}

export function clerkFixtureFiles(): string[] {
  return readdirSync(join(fixturesDir, "clerk"))
    .filter((name) => name.endsWith(".json"))
    .map((name) => `clerk/${name}`);
}

/** Every email address that appears anywhere in the fixtures. */
export function fixtureEmails(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".json")) {
        const text = readFileSync(path, "utf8");
        for (const match of text.matchAll(emailPattern)) found.add(match[0]);
      }
    }
  };
  walk(fixturesDir);
  return [...found];
}

export const emailPattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
