// Checks the custom resources of rendered manifests (kubectl kustomize k8s/overlays/cpu > cpu.yaml)
// against the models @kubernetes-models/keda and @kubernetes-models/prometheus-operator generate
// from those projects' CRD schemas, two ways:
//  - their runtime validators (types, enums, required fields where they check them);
//  - their TypeScript declarations: each resource is type-checked as an object literal of its
//    interface, so a field the CRD does not define is refused (TypeScript's excess property check),
//    as is a wrong type or a missing required field, at every depth.
// Usage: npm install && node validate.mjs cpu.yaml gpu.yaml
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as yaml from "js-yaml";
import ts from "typescript";
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const models = {
  ScaledObject: [ScaledObject, "IScaledObject", "@kubernetes-models/keda/keda.sh/v1alpha1"],
  TriggerAuthentication: [TriggerAuthentication, "ITriggerAuthentication", "@kubernetes-models/keda/keda.sh/v1alpha1"],
  ServiceMonitor: [ServiceMonitor, "IServiceMonitor", "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1"],
};
const here = path.dirname(fileURLToPath(import.meta.url));
const work = fs.mkdtempSync(path.join(here, ".typecheck-"));
const sources = [];
let checked = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(fs.readFileSync(file, "utf8"))) {
    const model = doc && models[doc.kind];
    if (!model) {
      continue;
    }
    const [Model, type, module] = model;
    const name = `${path.basename(file)} ${doc.kind}/${doc.metadata.name}`;
    checked++;
    try {
      new Model(doc).validate();
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.message}`);
    }
    const source = path.join(work, `r${checked}.ts`);
    fs.writeFileSync(source, `// ${name}\nimport type { ${type} } from "${module}";\n`
        + `export const resource: ${type} = ${JSON.stringify(doc, null, 2)};\n`);
    sources.push([source, name]);
  }
}
const program = ts.createProgram(sources.map(([s]) => s), {
  noEmit: true, strict: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
});
const names = new Map(sources);
const diagnostics = ts.getPreEmitDiagnostics(program);
for (const d of diagnostics) {
  failed++;
  const where = d.file ? names.get(path.resolve(d.file.fileName)) ?? d.file.fileName : "";
  console.log(`FAIL ${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n  ")}`);
}
fs.rmSync(work, { recursive: true, force: true });
for (const [, name] of sources) {
  console.log(`seen ${name}`);
}
console.log(`${checked} custom resources checked, ${failed} problems`);
process.exit(failed > 0 || checked === 0 ? 1 : 0);
