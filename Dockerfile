# syntax=docker/dockerfile:1
# One image for every recmesh service (CPU). The service is chosen by the
# argument: `docker run recmesh services/feature/main.ts` (Kubernetes: `args`).
# Build: docker build -t recmesh:0.1.0 .
# The GPU ranking image is Dockerfile.ranking-gpu.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
# hnswlib-node compiles a native addon at install time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc keeps onnxruntime-node-install=skip: the CPU provider ships inside the package.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    RECMESH_BIND_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY cli ./cli
COPY world ./world
# gen/ holds the generated code and recmesh.binpb, the descriptor set server reflection serves.
COPY gen ./gen
COPY services ./services
# The demo model ranking publishes at start when the registry has none (RECMESH_RANKING_BOOTSTRAP); 160 KB.
COPY models/ctr-mlp ./models/ctr-mlp
# Files stay root-owned and read-only to the service user; tsx writes its cache under /tmp.
USER 10001:10001
EXPOSE 50051 50052 50053 50054 50055 9051 9052 9053 9054 9055
# No HEALTHCHECK: Kubernetes probes grpc.health.v1 and the admin port (/healthz, /livez) instead.
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["services/recommender/main.ts"]
