import {
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import {
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { errorCode } from "@app/core/errors";
import { CustomersTable, ProvisionQueue } from "@app/core/settings";
import { localAws, localAwsEnv } from "@app/local/aws";
import { localConfig } from "@app/local/config";
import { OpsError } from "./errors";

/** As sst.config.ts names the app and its home region. */
export const appName = "signup-provisioning";
export const defaultRegion = "us-east-1";

export type Names = { table?: string; queue?: string; dlq?: string };

export type Queues = { queueUrl: string; deadLetterUrl: string };

/** Where the verbs act: the offline stack or a deployed stage. */
export type Target = {
  label: string;
  sqs: SQSClient;
  /** The customers table, checked to exist; core reads it from the env. */
  table(): Promise<string>;
  queues(): Promise<Queues>;
  close(): void;
};

/**
 * SST names every resource `<stage>-<app>-<id>`, so a deployed stage's
 * table and queues are found by name alone: no stack outputs needed.
 */
export function stageNames(stage: string): Required<Names> {
  const name = (id: string) => `${stage}-${appName}-${id}`;
  return {
    table: name(CustomersTable.name),
    queue: name(ProvisionQueue.name),
    dlq: name(ProvisionQueue.deadLetterName),
  };
}

/**
 * The offline stack by default (its ports and table from the local
 * contract); a deployed stage with credentials from the SDK's chain.
 * Core reads its table and endpoints from the environment, so they are
 * set here, once, before any verb runs.
 */
export function resolveTarget(options: {
  stage?: string;
  region?: string;
  names: Names;
}): Target {
  if (options.stage === undefined) return localTarget(options.names);
  if (!/^[A-Za-z0-9-]{1,64}$/.test(options.stage)) {
    throw new OpsError(`not a stage name: ${options.stage}`, 2);
  }
  return stageTarget(options.stage, options.region, options.names);
}

function localTarget(names: Names): Target {
  const config = localConfig();
  const dynamo = `http://127.0.0.1:${config.dynamoPort}`;
  const sqsEndpoint = `http://127.0.0.1:${config.sqsPort}`;
  const table = names.table ?? config.customersTable;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, {
    ...localAwsEnv,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    CUSTOMERS_TABLE: table,
  });
  const where = `the offline stack (dynamodb ${dynamo}, sqs ${sqsEndpoint})`;
  const sqs = new SQSClient({ endpoint: sqsEndpoint, ...localAws });
  const db = new DynamoDBClient({ endpoint: dynamo, ...localAws });
  const place = { label: `local ${table}`, where, local: true };
  return finder(place, sqs, db, {
    table,
    queue: names.queue ?? ProvisionQueue.name,
    dlq: names.dlq ?? ProvisionQueue.deadLetterName,
  });
}

function stageTarget(
  stage: string,
  region: string | undefined,
  names: Names,
): Target {
  const given = Object.entries(names).filter(([, name]) => name);
  const resolved = { ...stageNames(stage), ...Object.fromEntries(given) };
  // A shell set up for the offline stack must not send a stage's
  // commands to it.
  for (const name of ["", "_DYNAMODB", "_SQS"]) {
    delete process.env[`AWS_ENDPOINT_URL${name}`];
  }
  const chosen =
    region ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    defaultRegion;
  Object.assign(process.env, {
    AWS_REGION: chosen,
    CUSTOMERS_TABLE: resolved.table,
  });
  const where = `stage ${stage} in ${chosen}`;
  const sqs = new SQSClient({ region: chosen });
  const db = new DynamoDBClient({ region: chosen });
  const place = { label: `stage ${stage} (${chosen})`, where, local: false };
  return finder(place, sqs, db, resolved);
}

type Place = { label: string; where: string; local: boolean };

function finder(
  { label, where, local }: Place,
  sqs: SQSClient,
  db: DynamoDBClient,
  names: Required<Names>,
): Target {
  const fail = (what: string, error: unknown): never => {
    if (error instanceof OpsError) throw error;
    const code = errorCode(error);
    if (code === "ECONNREFUSED" && local) {
      throw new OpsError(
        `nothing answers at ${where}: is \`npm start\` running?`,
      );
    }
    if (code === "CredentialsProviderError") {
      throw new OpsError(
        `no AWS credentials for ${where} (AWS_PROFILE, SSO or the env)`,
      );
    }
    throw new OpsError(`cannot reach ${what} on ${where}: ${code}`);
  };
  const queueUrl = async (name: string) => {
    try {
      const found = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      return found.QueueUrl!;
    } catch (error) {
      if (error instanceof QueueDoesNotExist) {
        throw new OpsError(`no queue ${name} on ${where}`);
      }
      return fail(`queue ${name}`, error);
    }
  };
  let table: Promise<string> | undefined;
  let queues: Promise<Queues> | undefined;
  return {
    label,
    sqs,
    table: () =>
      (table ??= db
        .send(new DescribeTableCommand({ TableName: names.table }))
        .then(
          () => names.table,
          (error) => {
            if (error instanceof ResourceNotFoundException) {
              throw new OpsError(`no table ${names.table} on ${where}`);
            }
            return fail(`table ${names.table}`, error);
          },
        )),
    queues: () =>
      (queues ??= Promise.all([
        queueUrl(names.queue),
        queueUrl(names.dlq),
      ]).then(([queueUrl, deadLetterUrl]) => ({ queueUrl, deadLetterUrl }))),
    close() {
      sqs.destroy();
      db.destroy();
    },
  };
}
