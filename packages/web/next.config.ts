import type { NextConfig } from "next";

const config: NextConfig = {
  // The domain code is TypeScript source in a workspace package.
  transpilePackages: ["@app/core"],
  poweredByHeader: false,
};

export default config;
