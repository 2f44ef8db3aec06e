/** The package name (placeholder export until the algorithms land). */
export const PACKAGE_NAME = "@agentlightning/algorithm";
