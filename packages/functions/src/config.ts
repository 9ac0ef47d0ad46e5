import { ConfigError } from "@app/core/errors";
import { Config } from "sst/node/config";

/**
 * Deployed, SST binds the Config.Secret and resolves it from SSM while the
 * function starts; offline and in tests the plain variable is used.
 */
export function boundSecret(name: string): string | undefined {
  try {
    return (Config as unknown as Record<string, string>)[name];
  } catch {
    return undefined;
  }
}

/**
 * Reads a handler's settings once, when the function starts. A bad
 * setting is kept and reported on every invocation, so the platform keeps
 * retrying until it is fixed instead of the function failing to start.
 */
export function loadOnce<T>(load: () => T): T | ConfigError {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}
