import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type AnnotationInput, annotationSpan } from "../lib/annotation.js";
import { useApi } from "../lib/api-context.js";

/**
 * Adds a reward or a note to a rollout's latest attempt as an `agentlightning.annotation` span,
 * which algorithms and adapters read like any other reward span.
 */
export function AnnotateForm({
  rolloutId,
  attemptId,
  attemptStatus,
}: {
  rolloutId: string;
  attemptId: string | null;
  /** Status of that attempt: a span on an attempt in progress is also a heartbeat. */
  attemptStatus?: string | null;
}) {
  // The store treats any span as a sign of life: on an attempt in progress the annotation would
  // keep a silent runner looking alive, and turn a preparing attempt into a running one
  // (docs/store-contract.md §2.9, §3.7). Ask before doing that.
  const inProgress = attemptStatus === "preparing" || attemptStatus === "running";
  const [confirmed, setConfirmed] = useState(false);
  const api = useApi();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<"reward" | "note">("reward");
  const [name, setName] = useState("primary");
  const [value, setValue] = useState("");
  const [note, setNote] = useState("");
  const mutation = useMutation({
    mutationFn: async () => {
      if (attemptId === null)
        throw new Error("This rollout has no attempt yet: there is nothing to annotate.");
      const input: AnnotationInput =
        kind === "reward"
          ? { kind, name, value: value.trim() === "" ? Number.NaN : Number(value), note }
          : { kind, note };
      const { sequence_id } = await api.nextSequenceId(rolloutId, attemptId);
      return api.addSpan(annotationSpan({ rolloutId, attemptId, sequenceId: sequence_id }, input));
    },
    onSuccess: () => {
      setValue("");
      setNote("");
      void queryClient.invalidateQueries();
    },
  });
  return (
    <form
      className="form"
      data-testid="annotate-form"
      onSubmit={(e) => {
        e.preventDefault();
        mutation.mutate();
      }}
    >
      <div className="chips" role="radiogroup" aria-label="Annotation kind">
        {(["reward", "note"] as const).map((k) => (
          <button
            key={k}
            type="button"
            className={`chip ${kind === k ? "on" : ""}`}
            aria-pressed={kind === k}
            onClick={() => setKind(k)}
          >
            {k}
          </button>
        ))}
      </div>
      {kind === "reward" ? (
        <>
          <label>
            Reward name
            <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Reward name" />
            <span className="hint">`primary` is the reward adapters and the Rewards page use.</span>
          </label>
          <label>
            Value
            <input
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-label="Reward value"
              inputMode="decimal"
              placeholder="e.g. 1 or 0.5"
            />
          </label>
        </>
      ) : null}
      <label>
        Note {kind === "reward" ? <span className="hint">(optional)</span> : null}
        <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} aria-label="Note" />
      </label>
      <div>
        {inProgress ? (
          <label className="hint" style={{ display: "flex", gap: 6, alignItems: "center", fontWeight: 400 }}>
            <input
              type="checkbox"
              checked={confirmed}
              onChange={(e) => setConfirmed(e.target.checked)}
              aria-label="Annotate anyway"
            />
            This attempt is {attemptStatus}: the store counts the annotation as a heartbeat
            {attemptStatus === "preparing" ? " and marks the attempt running" : ""}. Annotate anyway.
          </label>
        ) : null}
        <button
          type="submit"
          className="primary"
          disabled={mutation.isPending || attemptId === null || (inProgress && !confirmed)}
        >
          {mutation.isPending ? "Saving…" : `Add ${kind}`}
        </button>{" "}
        <span className="small muted">
          Stored as an agentlightning.annotation span on attempt {attemptId ?? "—"}.
        </span>
      </div>
      {mutation.isError ? (
        <div className="state error" role="alert">
          {(mutation.error as Error).message}
        </div>
      ) : null}
      {mutation.isSuccess && mutation.data ? (
        <div className="small" role="status">
          Saved as span #{mutation.data.sequence_id}.
        </div>
      ) : null}
    </form>
  );
}
