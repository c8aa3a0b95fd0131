/**
 * One well-formed request per RPC (field names as in @bufbuild/protobuf's
 * dynamic messages), every field set, so that a mutation of any single field
 * reaches the code behind validation instead of failing on a missing one.
 */
export type RequestInit = Record<string, unknown>;

const HOUR_S = 3_600;

function timestamp(offsetSeconds = 0) {
  return { seconds: BigInt(Math.floor(Date.now() / 1000) + offsetSeconds), nanos: 0 };
}

const context = () => ({ attributes: { device: "web", country: "de" } });

const interaction = () => ({
  eventId: "",
  userId: "user-hostile",
  itemId: "item-hostile",
  type: 2,
  occurredAt: timestamp(),
  requestId: "req-hostile",
  surface: "home",
  value: 1,
  attributes: { origin: "hostile-input" },
});

const generate = () => ({
  userId: "user-hostile",
  k: 10,
  context: context(),
  sources: ["popularity"],
  excludeItemIds: ["item-1"],
  sourceQuotas: { popularity: 10 },
  category: "",
});

const REQUESTS: Record<string, () => RequestInit> = {
  "recmesh.recommender.v1.RecommenderService/Recommend": () => ({
    userId: "user-hostile",
    count: 5,
    surface: "home",
    context: context(),
    excludeItemIds: ["item-1"],
    explain: true,
  }),
  "recmesh.recommender.v1.RecommenderService/Session": () => ({
    action: { case: "start", value: { userId: "user-hostile", count: 5, surface: "home", context: context() } },
  }),
  "recmesh.recommender.v1.RecommenderService/Track": () => ({ interaction: interaction() }),
  "recmesh.recommender.v1.RecommenderService/TrackStream": () => ({ interactions: [interaction()] }),
  "recmesh.feature.v1.FeatureService/GetFeatures": () => ({ entityIds: ["item-1"], features: ["item_stats:total_views"] }),
  "recmesh.feature.v1.FeatureService/StreamFeatures": () => ({ lookupId: "lookup-1", view: "item_stats", entityIds: ["item-1"] }),
  "recmesh.feature.v1.FeatureService/WriteFeatures": () => ({
    view: "user_taste",
    source: "hostile-input",
    entities: [
      {
        entityId: "user-hostile",
        eventTime: timestamp(),
        values: [{ name: "user_taste:embedding", value: { kind: { case: "vectorValue", value: { values: new Array<number>(32).fill(0.1) } } } }],
      },
    ],
  }),
  "recmesh.feature.v1.FeatureService/ListFeatureViews": () => ({}),
  "recmesh.candidate.v1.CandidateService/Generate": generate,
  "recmesh.candidate.v1.CandidateService/StreamGenerate": () => ({ request: generate() }),
  "recmesh.ranking.v1.RankingService/Rank": () => ({ userId: "user-hostile", itemIds: ["item-1", "item-2"], context: context() }),
  "recmesh.ranking.v1.RankingService/RankStream": () => ({ message: { case: "setup", value: { userId: "user-hostile", context: context() } } }),
  "recmesh.ranking.v1.RankingService/ListModels": () => ({}),
  "recmesh.experiment.v1.ExperimentService/Assign": () => ({ userId: "user-hostile", context: context(), experiments: ["hostile"] }),
  "recmesh.experiment.v1.ExperimentService/PutExperiment": () => ({
    experiment: {
      name: "hostile",
      description: "hostile-input test experiment",
      layer: "hostile-layer",
      salt: "salt",
      variants: [
        { name: "control", weight: 0.5, params: { model: "ctr-mlp" } },
        { name: "treatment", weight: 0.5, params: { model: "ctr-mlp" } },
      ],
      controlVariant: "control",
      coverage: 1,
      targeting: [{ attribute: "country", operator: 1, values: ["de"] }],
      forcedVariants: { "user-forced": "treatment" },
      // DRAFT: it must not change what the rest of the stack assigns.
      status: 1,
      startTime: timestamp(),
      endTime: timestamp(24 * HOUR_S),
      conversionEvent: "",
      layerRange: { start: 0, end: 0.5 },
    },
    expectedRevision: 0n,
  }),
  "recmesh.experiment.v1.ExperimentService/GetExperiment": () => ({ name: "hostile" }),
  "recmesh.experiment.v1.ExperimentService/ListExperiments": () => ({ status: 1, pageSize: 10, pageToken: "" }),
  "recmesh.experiment.v1.ExperimentService/DeleteExperiment": () => ({ name: "hostile-never-created" }),
  "recmesh.experiment.v1.ExperimentService/WatchExperiments": () => ({ includeCurrent: true }),
  "recmesh.experiment.v1.ExperimentService/GetResults": () => ({ name: "hostile" }),
};

/** The well-formed request of an RPC ("package.Service/Method"); an RPC added to the contracts must be added here. */
export function validRequest(method: string): RequestInit {
  const make = REQUESTS[method];
  if (!make) throw new Error(`no well-formed request for ${method}: add one to tests/reliability/hostile/valid-requests.ts`);
  return make();
}
