import { Rng } from "./prng.js";
import { randomUnit, unitRounded, weightedSum } from "./vectors.js";

/** Weights of the terms of a derived embedding: the category dominates, tags refine, the id separates ties. */
const CATEGORY_WEIGHT = 1;
const TAGS_WEIGHT = 0.6;
const ID_WEIGHT = 0.15;

/** A fixed pseudo-random unit direction per name (seeded by the name itself). */
function direction(name: string): number[] {
  return randomUnit(new Rng(0, `derived:${name}`));
}

/** Category and tag vocabularies are small and reused by every item: keep their directions. */
const vocabulary = new Map<string, number[]>();

function vocabularyDirection(name: string): number[] {
  let v = vocabulary.get(name);
  if (!v) vocabulary.set(name, (v = direction(name)));
  return v;
}

/**
 * A deterministic 32-dim unit embedding for an imported item that has none:
 * category direction + (mean of its tag directions) × 0.6 + item-id direction × 0.15.
 * Items sharing a category are close, sharing tags closer still, and no two
 * items coincide, so embedding retrieval works on a catalog without content vectors.
 */
export function derivedEmbedding(itemId: string, category: string, tags: readonly string[]): number[] {
  const tagTerms = tags.map((t) => ({ weight: TAGS_WEIGHT / Math.sqrt(tags.length), vector: vocabularyDirection(`tag:${t.toLowerCase()}`) }));
  return unitRounded(
    weightedSum([
      { weight: CATEGORY_WEIGHT, vector: vocabularyDirection(`category:${category.toLowerCase()}`) },
      ...tagTerms,
      { weight: ID_WEIGHT, vector: direction(`id:${itemId}`) },
    ]),
  );
}
