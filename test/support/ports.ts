export { freePort } from "../../packages/local/src/ports.js";
