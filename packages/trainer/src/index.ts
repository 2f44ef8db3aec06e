export type { EnvSource, ExecutionRole } from "./env-vars.js";
export {
  AglEnvVars,
  EnvVarError,
  FALSY_VALUES,
  resolveBoolEnvVar,
  resolveIntEnvVar,
  resolveRole,
  resolveStrEnvVar,
  TRUTHY_VALUES,
} from "./env-vars.js";
export type {
  CliConfigurable,
  CliInstances,
  CliParam,
  CliParamType,
  CliSchema,
  LightningCliOptions,
} from "./lightning-cli.js";
export {
  CliUsageError,
  cliEnvVar,
  cliFlag,
  lightningCli,
  lightningCliHelp,
  parseLightningCli,
} from "./lightning-cli.js";
