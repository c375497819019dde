// Validates Prometheus Operator objects against the CRD schemas of the npm package
// @kubernetes-models/prometheus-operator. Usage: node validate-prometheus-operator.mjs
// <package dir> <objects.json>, where objects.json is a JSON array of objects. Prints one
// line per object, "ok <kind>/<name>" or "invalid <kind>/<name>: <errors>", and exits 1 when
// any object is invalid or of a kind the package does not know.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [pkg, file] = process.argv.slice(2);
const objects = JSON.parse(readFileSync(file, "utf8"));
let failed = false;
for (const obj of objects) {
  const id = `${obj.kind}/${obj.metadata?.name}`;
  let Model;
  try {
    const url = pathToFileURL(`${pkg}/monitoring.coreos.com/v1/${obj.kind}.mjs`).href;
    Model = (await import(url))[obj.kind];
  } catch (e) {
    console.log(`invalid ${id}: no schema for kind ${obj.kind} (${e.message})`);
    failed = true;
    continue;
  }
  try {
    new Model(obj).validate();
    console.log(`ok ${id}`);
  } catch (e) {
    console.log(`invalid ${id}: ${e.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
