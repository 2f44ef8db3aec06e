export type { LightningOtlpSpanProcessorOptions, OtlpExportStats } from "./otlp-span-processor.js";
export { LightningOtlpSpanProcessor } from "./otlp-span-processor.js";
