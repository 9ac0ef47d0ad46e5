export * from "./names";
export { Recorder, type Dimensions } from "./recorder";
export * from "./webhook";
export * from "./provision";
export * from "./site";
export * from "./reconcile";
