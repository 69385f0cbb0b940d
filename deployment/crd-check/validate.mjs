// Checks the custom resources of rendered manifests (kubectl kustomize k8s/overlays/cpu > cpu.yaml)
// with the validators @kubernetes-models/keda and @kubernetes-models/prometheus-operator generate
// from those projects' CRD schemas: types, required fields and enums. They do not refuse unknown
// fields. Usage: npm install && node validate.mjs cpu.yaml gpu.yaml
import fs from "node:fs";
import * as yaml from "js-yaml";
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const models = { ScaledObject, TriggerAuthentication, ServiceMonitor };
let checked = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(fs.readFileSync(file, "utf8"))) {
    const Model = doc && models[doc.kind];
    if (!Model) {
      continue;
    }
    checked++;
    try {
      new Model(doc).validate();
      console.log(`ok   ${file} ${doc.kind}/${doc.metadata.name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${file} ${doc.kind}/${doc.metadata.name}: ${e.message}`);
    }
  }
}
console.log(`${checked} custom resources checked, ${failed} failed`);
process.exit(failed > 0 || checked === 0 ? 1 : 0);
