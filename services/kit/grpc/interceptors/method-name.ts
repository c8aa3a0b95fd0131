/** "/recmesh.feature.v1.FeatureService/GetFeatures" → "FeatureService/GetFeatures", the metric and log label. */
export function methodLabel(path: string): string {
  const [, service = "", method = ""] = path.split("/");
  return `${service.slice(service.lastIndexOf(".") + 1)}/${method}`;
}
