import { TASTE_FEATURE } from "../../../services/candidate/adapters/feature-taste-client.js";
import type { TasteEmbeddings } from "../../../services/candidate/sources/taste-embeddings.js";
import type { FeatureQueries } from "../../../services/feature/domain/feature-queries.js";
import { ROW_STATUS } from "../../../services/feature/domain/feature-reader.js";

/** The candidate service's taste lookup (GetFeatures of user_taste:embedding) answered in this process. */
export class InProcessTastes implements TasteEmbeddings {
  constructor(private readonly queries: FeatureQueries) {}

  async tasteOf(userId: string): Promise<Float32Array | undefined> {
    const [entity] = await this.queries.namedValues([userId], [TASTE_FEATURE]);
    const value = entity?.values[0];
    if (!value || value.status === ROW_STATUS.missing || !Array.isArray(value.value)) return undefined;
    return Float32Array.from(value.value);
  }
}
