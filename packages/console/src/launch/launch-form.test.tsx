// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { create, equals } from "@bufbuild/protobuf";
import { core, fromLiteralMap, lit, types } from "@aloft/idl";
import { LaunchForm } from "./launch-form.tsx";
import { buildInputs, formInputs, initialTexts } from "./form-model.ts";

afterEach(cleanup);

const settings = types.struct({ type: "object", required: ["label"] });
const param = (type: core.LiteralType, behavior?: core.Literal) =>
  create(core.ParameterSchema, { var: { type, description: "" }, behavior: behavior ? { case: "default", value: behavior } : { case: "required", value: true } });

// A launch plan as the server sends it: expected inputs with required ones and defaults.
const launchPlan = {
  closure: {
    expectedInputs: create(core.ParameterMapSchema, {
      parameters: {
        numbers: param(types.list(types.integer())),
        settings: param(settings),
        scale: param(types.float(), lit.float(1.5)),
        note: param(types.optional(types.string()), lit.union(lit.none(), types.none())),
        flag: param(types.boolean(), lit.boolean(true)),
      },
    }),
  },
};

describe("the launch form model", () => {
  it("takes required inputs and defaults from the launch plan", () => {
    const { inputs, defaults } = formInputs(launchPlan);
    expect(inputs.filter((i) => i.required).map((i) => i.name)).toEqual(["numbers", "settings"]);
    expect(initialTexts(inputs, defaults)).toEqual({ numbers: "", settings: "", scale: "1.5", note: "", flag: "true" });
  });

  it("builds a literal map, leaving an empty optional input to its default", () => {
    const { inputs } = formInputs(launchPlan);
    const r = buildInputs(inputs, { numbers: "[3, 4]", settings: '{"label": "a"}', scale: "2", note: "", flag: "false" });
    expect(r.errors).toEqual({});
    expect(Object.keys(r.literals!.literals).sort()).toEqual(["flag", "numbers", "scale", "settings"]);
    const types_ = Object.fromEntries(inputs.map((i) => [i.name, i.type]));
    expect(fromLiteralMap(r.literals!, types_)).toEqual({
      numbers: [3, 4],
      settings: { label: "a" },
      scale: 2,
      flag: false,
    });
  });

  it("names every field that is wrong and builds nothing", () => {
    const { inputs } = formInputs(launchPlan);
    const r = buildInputs(inputs, { numbers: "", settings: "{}", scale: "x", note: "", flag: "true" });
    expect(r.literals).toBeUndefined();
    expect(r.errors).toEqual({ numbers: "required", settings: "missing required field label", scale: '"x" is not a number' });
  });
});

describe("<LaunchForm>", () => {
  const setup = () => {
    const { inputs, defaults } = formInputs(launchPlan);
    const onLaunch = vi.fn(async () => {});
    render(<LaunchForm inputs={inputs} initial={initialTexts(inputs, defaults)} onLaunch={onLaunch} />);
    return onLaunch;
  };

  it("labels each control with its name and type", () => {
    setup();
    expect(screen.getByLabelText(/^numbers/).tagName).toBe("TEXTAREA");
    expect(screen.getByText("list<integer> (required)")).toBeTruthy();
    expect((screen.getByLabelText(/^flag/) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText("string?")).toBeTruthy();
  });

  it("shows a message by the wrong field and does not launch", async () => {
    const onLaunch = setup();
    fireEvent.change(screen.getByLabelText(/^numbers/), { target: { value: "[1, 2.5]" } });
    fireEvent.change(screen.getByLabelText(/^settings/), { target: { value: '{"label": "x"}' } });
    fireEvent.click(screen.getByRole("button", { name: "Launch" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("numbers[1]: 2.5 is not an integer");
    expect(screen.getByLabelText(/^numbers/).getAttribute("aria-invalid")).toBe("true");
    expect(onLaunch).not.toHaveBeenCalled();
    // Fixing the field clears its message as it is typed.
    fireEvent.change(screen.getByLabelText(/^numbers/), { target: { value: "[1, 2]" } });
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  });

  it("launches with the typed literals and labels", async () => {
    const onLaunch = setup();
    fireEvent.change(screen.getByLabelText(/^numbers/), { target: { value: "[5]" } });
    fireEvent.change(screen.getByLabelText(/^settings/), { target: { value: '{"label": "y", "n": 1}' } });
    fireEvent.change(screen.getByLabelText("Labels"), { target: { value: "team=ml, run=nightly" } });
    fireEvent.click(screen.getByRole("button", { name: "Launch" }));
    await waitFor(() => expect(onLaunch).toHaveBeenCalledTimes(1));
    const [literals, options] = onLaunch.mock.calls[0] as unknown as [core.LiteralMap, { labels: Record<string, string>; overwriteCache: boolean }];
    expect(equals(core.LiteralSchema, literals.literals["numbers"]!, lit.collection([lit.integer(5)]))).toBe(true);
    expect(equals(core.LiteralSchema, literals.literals["settings"]!, lit.struct({ label: "y", n: 1 }))).toBe(true);
    expect(equals(core.LiteralSchema, literals.literals["scale"]!, lit.float(1.5))).toBe(true);
    expect(options).toEqual({ overwriteCache: false, labels: { team: "ml", run: "nightly" } });
  });
});
