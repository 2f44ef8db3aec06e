/**
 * `agl agentops` and `agl prometheus`: Python Agent Lightning commands a TypeScript deployment does
 * not need. They explain what to use instead and exit with 1, so a script that expected a server
 * to start fails loudly instead of waiting on nothing.
 */

/** What `agl agentops` says. */
export function agentopsText(): string {
  return `agl agentops is not needed with TypeScript Agent Lightning.

In Python, AgentOps instrumented the LLM client and 'agl agentops' ran a local stand-in for the
AgentOps service. Here the tracer (@agentlightning/tracer) instruments the openai SDK and the
Vercel AI SDK itself and writes spans straight to the store, and any OpenTelemetry-instrumented
code can export to the store directly: the store accepts OTLP/HTTP (protobuf) at /v1/traces, so
set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://<store host>:4747/v1/traces and put the rollout
and attempt ids on each span (agentlightning.rollout_id, agentlightning.attempt_id).
`;
}

/** What `agl prometheus` says. */
export function prometheusText(): string {
  return `agl prometheus is not needed with TypeScript Agent Lightning.

In Python, 'agl prometheus' served the metrics that several store worker processes wrote to a
shared folder. Here every 'agl store' serves its own Prometheus metrics at /v1/prometheus/ (and
/metrics), whatever the backend; with several replicas behind a load balancer, let Prometheus
scrape each replica. Example scrape config:

  scrape_configs:
    - job_name: agentlightning-store
      metrics_path: /v1/prometheus/
      static_configs:
        - targets: ["127.0.0.1:4747"]
`;
}
