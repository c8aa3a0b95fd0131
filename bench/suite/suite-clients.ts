import { credentials } from "@grpc/grpc-js";
import { CandidateServiceClient } from "../../gen/recmesh/candidate/v1/candidate_service.js";
import { ExperimentServiceClient } from "../../gen/recmesh/experiment/v1/experiment_service.js";
import { FeatureServiceClient } from "../../gen/recmesh/feature/v1/feature_service.js";
import { RankingServiceClient } from "../../gen/recmesh/ranking/v1/ranking_service.js";
import { RecommenderServiceClient } from "../../gen/recmesh/recommender/v1/recommender_service.js";
import type { ServiceName } from "../../services/kit/config/ports.js";
import { createClient } from "../../services/kit/grpc/client-factory.js";

/** One channel per service, as a caller of the stack holds them. */
export interface SuiteClients {
  recommender: RecommenderServiceClient;
  feature: FeatureServiceClient;
  candidate: CandidateServiceClient;
  ranking: RankingServiceClient;
  experiment: ExperimentServiceClient;
  /** The feature service through a channel with grpc-js's defaults (HTTP/2's 64 KB window), to compare the kit's channel settings with. */
  featureDefaults: FeatureServiceClient;
  close(): void;
}

const SETTINGS = { maxMessageBytes: 64 * 1024 * 1024 };

export function suiteClients(addresses: Record<ServiceName, string>): SuiteClients {
  const clients = {
    recommender: createClient(RecommenderServiceClient, addresses.recommender, SETTINGS),
    feature: createClient(FeatureServiceClient, addresses.feature, SETTINGS),
    candidate: createClient(CandidateServiceClient, addresses.candidate, SETTINGS),
    ranking: createClient(RankingServiceClient, addresses.ranking, SETTINGS),
    experiment: createClient(ExperimentServiceClient, addresses.experiment, SETTINGS),
    featureDefaults: new FeatureServiceClient(addresses.feature, credentials.createInsecure(), { "grpc.max_receive_message_length": SETTINGS.maxMessageBytes }),
  };
  return { ...clients, close: () => Object.values(clients).forEach((c) => c.close()) };
}

/** A deadline far enough out that only a hang hits it: every failure the suite counts is a real one. */
export const callDeadline = () => Date.now() + 5_000;
