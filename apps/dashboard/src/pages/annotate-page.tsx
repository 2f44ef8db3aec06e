import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { AnnotateForm } from "../components/annotate-form.js";
import { Empty, ErrorBox, Loading, StatusBadge } from "../components/states.js";
import { useApi } from "../lib/api-context.js";
import { previewJson } from "../lib/format.js";
import { formatHash, useParams } from "../lib/router.js";

/** Annotate a rollout named by id: a reward or a note, stored as an annotation span on its latest attempt. */
export function AnnotatePage() {
  const api = useApi();
  const [params, setParams] = useParams();
  const rolloutId = params.get("rollout") ?? "";
  const [draft, setDraft] = useState(rolloutId);
  useEffect(() => setDraft(rolloutId), [rolloutId]);
  const rollout = useQuery({
    queryKey: ["rollout", rolloutId],
    enabled: rolloutId !== "",
    queryFn: ({ signal }) => api.getRollout(rolloutId, signal),
  });
  const r = rollout.data;
  const attempt = r && "attempt" in r && r.attempt ? r.attempt : null;
  const attemptId = attempt?.attempt_id ?? null;
  return (
    <section>
      <h1>Annotate a rollout</h1>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setParams({ rollout: draft.trim() });
        }}
      >
        <input
          aria-label="Rollout to annotate"
          placeholder="ro-…"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit">Open</button>
      </form>
      {rolloutId === "" ? (
        <Empty title="Name a rollout to annotate." hint="Or open a rollout and use its annotate tab." />
      ) : rollout.isError ? (
        <ErrorBox error={rollout.error} />
      ) : rollout.isPending ? (
        <Loading />
      ) : r === null || r === undefined ? (
        <Empty title={`No rollout ${rolloutId}.`} />
      ) : (
        <>
          <p>
            <a className="mono" href={formatHash(["rollouts", r.rollout_id])}>
              {r.rollout_id}
            </a>{" "}
            <StatusBadge status={r.status} /> <span className="mono small">{previewJson(r.input, 100)}</span>
          </p>
          <AnnotateForm
            rolloutId={r.rollout_id}
            attemptId={attemptId}
            attemptStatus={attempt?.status ?? null}
          />
        </>
      )}
    </section>
  );
}
