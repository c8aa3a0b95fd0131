import { InvalidArgumentError } from "../../kit/errors/errors.js";
import type { EntityKind, FeatureDeclaration, FeatureKind, ReadTime, ViewDeclaration } from "./view-declaration.js";

const HOUR_MS = 3_600_000;

export interface Feature {
  name: string;
  /** "view:feature". */
  qualifiedName: string;
  type: FeatureKind;
  dimension: number;
  /** First float column of the feature in the view's packed row. */
  offset: number;
  default: number;
  description: string;
  readTime: ReadTime | undefined;
}

export interface StateSlot {
  name: string;
  halfLifeHours: number | undefined;
  description: string;
}

/** A feature view with its columns laid out: the single source of every offset and width. */
export interface FeatureView {
  name: string;
  entity: EntityKind;
  version: number;
  description: string;
  maxAgeMs: number;
  ttlMs: number;
  /** Float32 columns of a packed row. */
  width: number;
  features: Feature[];
  state: StateSlot[];
  /** The row served for an entity with nothing stored. */
  defaultRow: Float32Array;
}

/** Resolves view and feature names; built once from the declarations. */
export class FeatureRegistry {
  private readonly byName = new Map<string, FeatureView>();
  private readonly featuresByView = new Map<string, Map<string, Feature>>();

  constructor(declarations: ViewDeclaration[]) {
    for (const declaration of declarations) {
      if (this.byName.has(declaration.name)) throw new Error(`feature view "${declaration.name}" declared twice`);
      const view = layOut(declaration);
      this.byName.set(view.name, view);
      this.featuresByView.set(view.name, new Map(view.features.map((f) => [f.name, f])));
    }
  }

  get views(): FeatureView[] {
    return [...this.byName.values()];
  }

  find(name: string): FeatureView | undefined {
    return this.byName.get(name);
  }

  /** The view, or INVALID_ARGUMENT naming `field` and the unknown view. */
  view(name: string, field: string): FeatureView {
    const view = this.byName.get(name);
    if (!view) throw new InvalidArgumentError(field, `unknown feature view "${name}" (known: ${[...this.byName.keys()].join(", ")})`);
    return view;
  }

  /** The feature of a view, or INVALID_ARGUMENT naming `field` and the unknown feature. */
  feature(view: FeatureView, name: string, field: string): Feature {
    const feature = this.featuresByView.get(view.name)?.get(name);
    if (!feature) throw new InvalidArgumentError(field, `feature view "${view.name}" has no feature "${name}"`);
    return feature;
  }

  /** Resolves "view:feature". */
  qualified(qualifiedName: string, field: string): { view: FeatureView; feature: Feature } {
    const colon = qualifiedName.indexOf(":");
    if (colon <= 0 || colon === qualifiedName.length - 1) {
      throw new InvalidArgumentError(field, `"${qualifiedName}" is not of the form "view:feature"`);
    }
    const view = this.view(qualifiedName.slice(0, colon), field);
    return { view, feature: this.feature(view, qualifiedName.slice(colon + 1), field) };
  }

  /** Column index of a feature that code (not a request) names; a typo here is a programming error. */
  column(viewName: string, featureName: string): number {
    const feature = this.featuresByView.get(viewName)?.get(featureName);
    if (!feature) throw new Error(`registry has no feature ${viewName}:${featureName}`);
    return feature.offset;
  }
}

function layOut(d: ViewDeclaration): FeatureView {
  let offset = 0;
  const seen = new Set<string>();
  const features = d.features.map((f): Feature => {
    if (seen.has(f.name)) throw new Error(`feature ${d.name}:${f.name} declared twice`);
    seen.add(f.name);
    const dimension = dimensionOf(d.name, f);
    const feature = {
      name: f.name,
      qualifiedName: `${d.name}:${f.name}`,
      type: f.type,
      dimension,
      offset,
      default: f.default,
      description: f.description,
      readTime: f.readTime,
    };
    offset += dimension;
    return feature;
  });
  for (const f of features) {
    const rt = f.readTime;
    if (rt?.kind === "smoothed_ratio" && !(seen.has(rt.numerator) && seen.has(rt.denominator))) {
      throw new Error(`feature ${f.qualifiedName} divides columns that ${d.name} does not declare`);
    }
  }
  const defaultRow = new Float32Array(offset);
  for (const f of features) defaultRow.fill(f.default, f.offset, f.offset + f.dimension);
  return {
    name: d.name,
    entity: d.entity,
    version: d.version,
    description: d.description,
    maxAgeMs: d.maxAgeHours * HOUR_MS,
    ttlMs: d.ttlDays * 24 * HOUR_MS,
    width: offset,
    features,
    state: (d.state ?? []).map((s) => ({ name: s.name, halfLifeHours: s.halfLifeHours, description: s.description })),
    defaultRow,
  };
}

function dimensionOf(view: string, f: FeatureDeclaration): number {
  if (f.type !== "vector") {
    if (f.dimension !== undefined && f.dimension !== 1) throw new Error(`scalar feature ${view}:${f.name} has dimension ${f.dimension}`);
    return 1;
  }
  if (!f.dimension || f.dimension < 1) throw new Error(`vector feature ${view}:${f.name} needs a dimension`);
  return f.dimension;
}
