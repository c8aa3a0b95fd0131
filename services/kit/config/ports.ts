/** The five services and their default ports; each is overridable by environment. */
export const SERVICE_NAMES = ["recommender", "feature", "candidate", "ranking", "experiment"] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_PORTS: Record<ServiceName, { grpc: number; admin: number }> = {
  recommender: { grpc: 50051, admin: 9051 },
  feature: { grpc: 50052, admin: 9052 },
  candidate: { grpc: 50053, admin: 9053 },
  ranking: { grpc: 50054, admin: 9054 },
  experiment: { grpc: 50055, admin: 9055 },
};
