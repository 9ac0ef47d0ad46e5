/**
 * A failure the operator can act on, told in one line. The exit code
 * says what kind: 1 failed, 2 misused, 3 not found.
 */
export class OpsError extends Error {
  override name = "OpsError";
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 3 = 1,
  ) {
    super(message);
  }
}
