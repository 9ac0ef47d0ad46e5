import type { SSTConfig } from "sst";
import { Api } from "./stacks/api.js";
import { configureApp } from "./stacks/defaults.js";
import { Provisioning } from "./stacks/provisioning.js";
import { Reconcile } from "./stacks/reconcile.js";
import { Secrets } from "./stacks/secrets.js";
import { Storage } from "./stacks/storage.js";
import { Monitoring } from "./stacks/monitoring.js";
import { Web } from "./stacks/web.js";

export default {
  config() {
    return { name: "signup-provisioning", region: "us-east-1" };
  },
  stacks(app) {
    configureApp(app);
    app
      .stack(Secrets)
      .stack(Storage)
      .stack(Provisioning)
      .stack(Api)
      .stack(Web)
      .stack(Monitoring)
      .stack(Reconcile);
  },
} satisfies SSTConfig;
