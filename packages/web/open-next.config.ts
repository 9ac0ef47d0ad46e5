import type { OpenNextConfig } from "@opennextjs/aws/types/open-next.js";

/**
 * The deploy build, read by `open-next build` here and by SST's NextjsSite
 * (which runs the same command in this folder). It keeps OpenNext's
 * Lambda wrapper and API Gateway v2 converter, which the Lambda function
 * URL behind CloudFront speaks.
 */
const config = {
  default: {},
  dangerous: {
    // The tag cache serves revalidateTag and revalidatePath, which the
    // site never calls. Off, the server never reads a tag table and the
    // build makes no function to seed one. (SST 2.49 still creates the
    // table and its grants: NextjsSite reads this flag back too late.)
    disableTagCache: true,
  },
  imageOptimization: {
    // OpenNext installs sharp for the image optimizer with npm. Its
    // default, sharp 0.32, fetches libvips from GitHub in an install
    // script, which fails or hangs where only the npm registry is
    // reachable. Sharp 0.35 ships its Linux arm64 binaries as npm
    // packages; `--offline` takes them from the npm cache or goes
    // without, so no build waits on the network. A deploy that serves
    // images sets SHARP_FROM_REGISTRY=true to fetch them.
    install: {
      packages: ["sharp@0.35.6"],
      os: "linux",
      libc: "glibc",
      additionalArgs: [
        // npm 11 picks optional native packages by --cpu; OpenNext's
        // `arch` option passes --arch, which npm ignores.
        "--cpu=arm64",
        "--no-audit",
        "--no-fund",
        process.env.SHARP_FROM_REGISTRY === "true" ? "" : "--offline",
      ].join(" "),
    },
  },
} satisfies OpenNextConfig;

export default config;
