// Launch a launch plan (a workflow's default one when named by the workflow): the form starts from the plan's
// defaults, or from an earlier execution's inputs when relaunching with changes (?from=<execution>).
import { useNavigate, useParams, useSearchParams } from "react-router";
import { createExecution, getExecutionInputs, getLaunchPlan, latestLaunchPlan, uploadFile } from "../api/client.ts";
import { useLoad } from "../api/use-load.ts";
import { executionPath } from "../paths.ts";
import { formInputs, initialTexts } from "./form-model.ts";
import { LaunchForm } from "./launch-form.tsx";

export default function LaunchPage() {
  const { project = "", domain = "", name = "" } = useParams();
  const [params] = useSearchParams();
  const version = params.get("version") ?? "";
  const from = params.get("from") ?? "";
  const navigate = useNavigate();
  const loaded = useLoad(async () => {
    const lp = version
      ? await getLaunchPlan({ project, domain }, name, version)
      : await latestLaunchPlan({ project, domain }, name);
    if (!lp) throw new Error(`no launch plan named ${name} in ${project}/${domain}`);
    const previous = from ? await getExecutionInputs({ project, domain }, from) : undefined;
    return { lp, previous };
  }, [project, domain, name, version, from]);
  if (loaded.error) return <p role="alert">{loaded.error}</p>;
  if (!loaded.data) return <p className="muted">Loading…</p>;
  const { lp, previous } = loaded.data;
  const { inputs, defaults } = formInputs(lp);
  const initial = initialTexts(inputs, { ...defaults, ...(previous?.literals ?? {}) });
  return (
    <section>
      <h1>
        Launch <span className="mono">{name}</span>
      </h1>
      <p className="muted">
        Version <span className="mono">{lp.id?.version}</span>
        {from && (
          <>
            {" "}
            — inputs of <span className="mono">{from}</span>
          </>
        )}
      </p>
      <LaunchForm
        key={`${lp.id?.version}/${from}`}
        inputs={inputs}
        initial={initial}
        upload={(file) => uploadFile({ project, domain }, file)}
        onLaunch={async (literals, options) => {
          const id = await createExecution(lp.id!, literals, options);
          navigate(executionPath(id.project, id.domain, id.name));
        }}
      />
    </section>
  );
}
