import { Aspects, CfnResource } from "aws-cdk-lib";
import {
  NextjsSite,
  use,
  type Stack,
  type StackContext,
} from "sst/constructs";
import { Secrets } from "./secrets.js";
import { Storage } from "./storage.js";
import { customerRecordAccess } from "./table-access.js";

export function Web({ stack }: StackContext) {
  const { table } = use(Storage);
  const {
    CLERK_SECRET_KEY,
    CLERK_PUBLISHABLE_KEY,
    STRIPE_SECRET_KEY,
    STRIPE_PRICE_ID,
  } = use(Secrets);
  const site = new NextjsSite(stack, "site", {
    path: "packages/web",
    // NextjsSite runs `npx @opennextjs/aws@<version> build`; this is the
    // version in package-lock.json, so npx uses the installed copy.
    openNextVersion: "3.10.4",
    runtime: "nodejs22.x",
    environment: {
      CUSTOMERS_TABLE: table.tableName,
      NEXT_PUBLIC_CLERK_SIGN_IN_URL: "/login",
      NEXT_PUBLIC_CLERK_SIGN_UP_URL: "/signup",
    },
    // Checkout, the billing portal and the success page's sync call
    // Stripe; the webhook secret stays with the webhook.
    bind: [
      CLERK_SECRET_KEY,
      CLERK_PUBLISHABLE_KEY,
      STRIPE_SECRET_KEY,
      STRIPE_PRICE_ID,
    ],
    regional: {
      // A bound secret reaches the function as SST_Secret_value_<name>
      // set to a marker that sst/node/config swaps for the SSM value at
      // import. Prefetching writes the value itself at deploy instead.
      prefetchSecrets: true,
    },
    permissions: [customerRecordAccess(table)],
  });
  stack.addOutputs({ SiteUrl: site.url });
  onArm64(stack);
  return { site };
}

/**
 * NextjsSite's helpers (warmer, revalidator, log retention, bucket
 * cleanup) are SST and CDK functions that take no architecture option and
 * default to x86_64. They run plain JavaScript, so they move to arm64
 * like every other function of the app. SST's own custom resource
 * handler pins its settings itself and is left alone, as in every stack.
 */
function onArm64(stack: Stack): void {
  const sstHandler = stack.customResourceHandler.node.defaultChild;
  Aspects.of(stack).add({
    visit(node) {
      if (!(node instanceof CfnResource) || node === sstHandler) return;
      if (node.cfnResourceType !== "AWS::Lambda::Function") return;
      node.addPropertyOverride("Architectures", ["arm64"]);
    },
  });
}
