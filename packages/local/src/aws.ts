/**
 * The region and placeholder credentials every local AWS client uses:
 * DynamoDB Local runs with -sharedDb, so any credentials see one database.
 */
export const localAws = {
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
};

/** The same, as the environment variables the SDK reads by itself. */
export const localAwsEnv = {
  AWS_REGION: localAws.region,
  AWS_ACCESS_KEY_ID: localAws.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localAws.credentials.secretAccessKey,
};
