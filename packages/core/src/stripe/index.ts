export * from "./apply";
export * from "./checkout";
export * from "./client";
export * from "./events";
export * from "./link";
export * from "./membership";
export * from "./sync";
export * from "./webhook";
