// The console as a user meets it: `aloft start` (in process, embedded database), a workflow registered with
// `aloft register`, then headless Chromium (Debian's, driven by playwright-core) launches it from the generated
// form, watches it succeed, reads the graph and a node's outputs, sees a failed node's error and relaunches.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { defaultConfig, startAloft, type Aloft } from "@aloft/server";
import { main, serverTaskPlugins } from "@aloft/cli";
import { consoleAssetsDir } from "../../src/index.ts";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's serious and critical WCAG 2 A/AA violations on the page as it is (DevTools evaluation: not subject to the page's CSP). */
async function accessibilityProblems(): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
    return r.violations;
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3).join(", ")})`);
}

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const flowFile = fileURLToPath(new URL("./testdata/console-flow.ts", import.meta.url));
const artifacts = fileURLToPath(new URL("../../../../.tmp/console-e2e/", import.meta.url));
const built = existsSync(join(consoleAssetsDir, "index.html"));

let dir: string;
let aloft: Aloft;
let base: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  const { register } = await import("tsx/esm/api");
  register();
  dir = mkdtempSync(join(tmpdir(), "aloft-console-e2e-"));
  const config = { ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent" };
  aloft = await startAloft(config, { plugins: await serverTaskPlugins({ taskEnvAllow: config.taskEnvAllow, dataDir: dir, workers: 1 }) });
  await aloft.ready;
  base = aloft.server.url;
  expect(await main(["register", flowFile, "--version", "v1", "--endpoint", base])).toBe(0);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
  mkdirSync(artifacts, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await aloft?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const scope = "/projects/flytesnacks/domains/development";

async function launchFromForm(values: { numbers: string; settings: string; weights: string }): Promise<string> {
  await page.goto(`${base}${scope}/launchplans`);
  await page.getByRole("link", { name: "consoleflow.summary" }).click();
  await page.getByRole("link", { name: "Launch…" }).click();
  await page.getByLabel(/^numbers/).fill(values.numbers);
  await page.getByLabel(/^settings/).fill(values.settings);
  await page.getByLabel(/^weights/).fill(values.weights);
  // The file input by upload: the browser PUTs it to the signed URL DataProxy gives, the field takes its URI.
  await page.getByLabel("Upload a file for data").setInputFiles({ name: "rows.csv", mimeType: "text/csv", buffer: Buffer.from("a,b\n1,2\n") });
  await expect.poll(() => page.getByRole("status").textContent()).toBe("uploaded rows.csv");
  expect(await page.getByLabel(/^data/).inputValue()).toMatch(/^file:\/\/.*rows\.csv$/);
  await page.getByRole("button", { name: "Launch" }).click();
  await page.waitForURL(/\/executions\/[a-z0-9]+/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

describe.skipIf(!built || !existsSync(chromiumPath))("the web console on aloft start", () => {
  it("lists the project and its domains", async () => {
    await page.goto(base);
    await expect.poll(() => page.getByRole("link", { name: "development" }).count()).toBeGreaterThan(0);
    await page.getByRole("list", { name: "Domains of flytesnacks" }).getByRole("link", { name: "development" }).click();
    await page.waitForURL(`${base}${scope}/executions`);
  });

  it("shows a workflow's interface with readable types", async () => {
    await page.goto(`${base}${scope}/workflows/consoleflow.summary`);
    const inputs = page.getByRole("table", { name: "Inputs" });
    await expect.poll(() => inputs.textContent()).toContain("list<integer>");
    expect(await inputs.textContent()).toContain("map<string, float>");
  });

  it("activates and deactivates a launch plan", async () => {
    await page.goto(`${base}${scope}/launchplans/consoleflow.summary`);
    const state = page.getByTestId("launch-plan-state");
    const before = await state.textContent();
    expect(before).toMatch(/^(active|inactive)$/);
    const flipped = before === "active" ? "inactive" : "active";
    await page.getByRole("button", { name: before === "active" ? "Deactivate" : "Activate" }).click();
    await expect.poll(() => state.textContent()).toBe(flipped);
    // The server keeps it: a fresh page load shows the new state.
    await page.reload();
    await expect.poll(() => state.textContent()).toBe(flipped);
    await page.getByRole("button", { name: flipped === "active" ? "Deactivate" : "Activate" }).click();
    await expect.poll(() => state.textContent()).toBe(before);
  });

  it("refuses a bad value in the form, naming the field, then launches a workflow (a list, a struct, a map and an uploaded file) and shows it succeed with its graph and a node's outputs", async () => {
    await page.goto(`${base}${scope}/launchplans/consoleflow.summary`);
    await page.getByRole("link", { name: "Launch…" }).click();
    await page.getByLabel(/^numbers/).fill("[1, 2.5]");
    await page.getByLabel(/^settings/).fill('{"label": "x", "scale": 1}');
    await page.getByLabel(/^weights/).fill("{}");
    await page.getByLabel(/^data/).fill("s3://bucket/rows.csv");
    await page.getByRole("button", { name: "Launch" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("2.5 is not an integer");
    expect(page.url()).toContain("/launch/");

    const name = await launchFromForm({ numbers: "[1, 2, 3]", settings: '{"label": "week", "scale": 2}', weights: '{"a": 0.5, "b": 1.5}' });
    await expect.poll(() => page.locator("h1 .phase").textContent(), { timeout: 30_000 }).toBe("SUCCEEDED");
    // The graph: start, two tasks, end, laid out in the worker and drawn.
    await expect.poll(() => page.locator(".react-flow__node").count()).toBe(4);
    expect(await page.getByTestId("execution-graph").getAttribute("data-layout")).toBe("layered");
    await page.screenshot({ path: join(artifacts, "execution.png") });
    // The first node's outputs, rendered by type: (1+2+3)*2 + 0.5 + 1.5 = 14.
    await page.getByRole("table", { name: "Nodes" }).getByRole("row", { name: /^n0/ }).click();
    const outputs = page.getByRole("definition").filter({ hasText: "week: 3 numbers, 2 lines" });
    await expect.poll(() => outputs.count()).toBe(1);
    const panel = page.getByRole("region", { name: "Node n0" });
    expect(await panel.getByLabel("Outputs").textContent()).toContain("14");
    expect(await panel.getByLabel("Inputs").textContent()).toContain('"week"');
    // Selecting in the graph selects the same node (the deep link names it).
    await page.locator(".react-flow__node", { hasText: "double" }).click();
    await page.waitForURL(/node=n1/);
    await expect.poll(() => page.getByRole("region", { name: "Node n1" }).getByLabel("Outputs").textContent()).toContain("28");

    // The executions list shows it, and its phase.
    await page.goto(`${base}${scope}/executions`);
    const row = page.getByRole("row", { name: new RegExp(name) });
    await expect.poll(() => row.textContent()).toContain("SUCCEEDED");
    await page.getByLabel("SUCCEEDED").check();
    await expect.poll(() => page.url()).toContain("phase=SUCCEEDED");
    await expect.poll(() => row.count()).toBe(1);
  });

  it("shows a failed node's error with its kind, and relaunches", async () => {
    const name = await launchFromForm({ numbers: "[4]", settings: '{"label": "bad", "scale": 1}', weights: '{"w": -1}' });
    await expect.poll(() => page.locator("h1 .phase").textContent(), { timeout: 30_000 }).toBe("FAILED");
    const error = page.getByRole("group", { name: "Error" }).first();
    expect(await error.textContent()).toContain("weight w is negative");
    expect(await error.textContent()).toMatch(/user error/);
    await page.screenshot({ path: join(artifacts, "failed.png") });
    await page.getByRole("button", { name: "Relaunch", exact: true }).click();
    await page.waitForURL((u) => /\/executions\/[a-z0-9]+$/.test(u.pathname) && !u.pathname.endsWith(name));
    await expect.poll(() => page.locator("h1 .phase").textContent(), { timeout: 30_000 }).toBe("FAILED");
  });

  it("opens a dynamic workflow's node in place to show its children and their outputs", async () => {
    await page.goto(`${base}${scope}/launch/consoleflow.squares`);
    await page.getByLabel(/^xs/).fill("[1.5, 2, 3]");
    await page.getByRole("button", { name: "Launch" }).click();
    await page.waitForURL(/\/executions\/[a-z0-9]+/);
    // The dynamic node's children appear live, while the execution runs.
    const nodes = page.getByRole("table", { name: "Nodes" });
    await nodes.getByRole("button", { name: "Open n0" }).click({ timeout: 45_000 });
    const children = nodes.locator('tr[data-depth="1"]').filter({ hasNotText: /start-node|end-node/ });
    await expect.poll(() => children.count(), { timeout: 30_000 }).toBe(3);
    // A child's outputs (1.5 doubled), fetched by its own node id.
    await children.nth(0).click();
    await expect.poll(() => page.locator("section.panel").getByLabel("Outputs").textContent(), { timeout: 30_000 }).toContain("3");
    await page.screenshot({ path: join(artifacts, "dynamic.png") });
  });

  it("has no serious accessibility violations on any page", async () => {
    const problems: Record<string, string[]> = {};
    const executions = `${base}${scope}/executions`;
    await page.goto(executions);
    await page.getByRole("row").nth(1).waitFor();
    const execution = await page.getByRole("row").nth(1).getByRole("link").first().getAttribute("href");
    for (const path of ["/", `${scope}/executions`, `${scope}/workflows`, `${scope}/workflows/consoleflow.summary`, `${scope}/launch/consoleflow.summary`, `${execution}?node=n0`]) {
      await page.goto(`${base}${path}`);
      await page.locator("main h1").first().waitFor();
      if (path.includes("node=")) await page.locator(".react-flow__node").first().waitFor();
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: join(artifacts, `${path === "/" ? "projects" : path.split("/").slice(5).join("-").replace(/[?=]/g, "-")}.png`), fullPage: true });
      const found = await accessibilityProblems();
      if (found.length > 0) problems[path] = found;
      // The dark theme too, where the page shows phases (badge colours differ).
      if (path.includes("node=")) {
        await page.emulateMedia({ colorScheme: "dark" });
        const dark = await accessibilityProblems();
        if (dark.length > 0) problems[`${path} (dark)`] = dark;
        await page.emulateMedia({ colorScheme: "light" });
      }
    }
    expect(problems).toEqual({});
  });

  it("ran without page errors (CSP violations included)", () => {
    expect(pageErrors).toEqual([]);
  });
});
