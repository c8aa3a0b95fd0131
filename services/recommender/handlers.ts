import type { Logger } from "pino";
import {
  SessionResponse,
  TrackResponse,
  TrackStreamResponse,
  type RecommendRequest,
  type RecommenderServiceServer,
  type SessionRequest,
  type TrackRequest,
  type TrackStreamRequest,
} from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { InvalidArgumentError } from "../kit/errors/errors.js";
import { toStatus } from "../kit/errors/status.js";
import { RpcAdapter } from "../kit/grpc/handlers.js";
import type { InteractionPublisher } from "./adapters/interaction-publisher.js";
import type { SideEffect } from "./pipeline/ports.js";
import type { Recommendation, RecommendPipeline } from "./pipeline/recommend-pipeline.js";
import { interactionInput, recommendResponse } from "./proto-mapping.js";
import type { ConcurrencyLimiter } from "./resilience/concurrency-limiter.js";
import { liveSession, type SessionInput, type SessionStart } from "./session/live-session.js";
import { validateInteraction, type InteractionLimits } from "./tracking/interaction.js";
import { trackMany } from "./tracking/track-many.js";

export interface RecommenderLimits {
  maxCount: number;
  maxExclude: number;
  maxIdLength: number;
  surfaces: ReadonlySet<string>;
  interactions: InteractionLimits;
  trackStreamConcurrency: number;
  sessionRefreshDelayMs: number;
}

export interface RecommenderHandlerDeps {
  pipeline: RecommendPipeline;
  limiter: ConcurrencyLimiter;
  sideEffects: SideEffect<Recommendation>[];
  interactions: InteractionPublisher;
  limits: RecommenderLimits;
  logger: Logger;
  defaultDeadlineMs: number;
}

interface RecommendArgs {
  userId: string;
  count: number;
  surface: string;
  context: Record<string, string>;
  exclude: string[];
}

export function recommenderHandlers(deps: RecommenderHandlerDeps): RecommenderServiceServer {
  const rpc = new RpcAdapter("RecommenderService", deps.logger, deps.defaultDeadlineMs);
  const { limits } = deps;

  const validateRecommend = (a: RecommendArgs, path: string) => {
    if (a.userId === "") throw new InvalidArgumentError(`${path}user_id`, "is required");
    if (a.userId.length > limits.maxIdLength) throw new InvalidArgumentError(`${path}user_id`, `is longer than ${limits.maxIdLength} characters`);
    if (a.count < 1 || a.count > limits.maxCount) throw new InvalidArgumentError(`${path}count`, `must be between 1 and ${limits.maxCount}, got ${a.count}`);
    if (!limits.surfaces.has(a.surface)) {
      throw new InvalidArgumentError(`${path}surface`, `unknown surface "${a.surface}"; known: ${[...limits.surfaces].join(", ")}`);
    }
    if (a.exclude.length > limits.maxExclude) throw new InvalidArgumentError(`${path}exclude_item_ids`, `has more than ${limits.maxExclude} ids`);
  };

  const recommend = (a: RecommendArgs, deadline: number, signal: AbortSignal) =>
    deps.limiter.run(async () => {
      const r = await deps.pipeline.recommend({ ...a, deadline, signal });
      for (const effect of deps.sideEffects) effect.run(r);
      return r;
    });

  const track = async (i: ReturnType<typeof validateInteraction>) => {
    const published = await deps.interactions.publish(i);
    return { eventId: i.eventId, sequence: published.sequence, duplicate: published.duplicate };
  };

  return {
    recommend: rpc.unary("Recommend", async (req: RecommendRequest, call) => {
      const args = { userId: req.userId, count: req.count, surface: req.surface, context: req.context?.attributes ?? {}, exclude: req.excludeItemIds };
      validateRecommend(args, "");
      return recommendResponse(await recommend(args, call.deadline, call.signal), req.explain);
    }),

    track: rpc.unary("Track", async (req: TrackRequest) => {
      const interaction = validateInteraction(interactionInput(req.interaction), limits.interactions, "interaction");
      const ack = await track(interaction);
      return TrackResponse.create({ eventId: ack.eventId, sequence: String(ack.sequence), duplicate: ack.duplicate });
    }),

    trackStream: rpc.clientStream("TrackStream", async (requests: AsyncIterable<TrackStreamRequest>) => {
      const summary = await trackMany(requests, {
        validate: (i, index) => validateInteraction(interactionInput(i), limits.interactions, `interactions[${index}]`),
        publish: (i) => deps.interactions.publish(i),
        concurrency: limits.trackStreamConcurrency,
        toError: (err) => toStatus(err, deps.logger),
      });
      return TrackStreamResponse.fromPartial({
        accepted: String(summary.accepted),
        rejected: String(summary.rejected),
        duplicates: String(summary.duplicates),
        errors: summary.errors.map((e) => ({ index: String(e.index), error: { code: e.code, message: e.message, field: e.field } })),
      });
    }),

    session: rpc.bidi("Session", async function* (requests: AsyncIterable<SessionRequest>, call) {
      let start: SessionStart | undefined;
      async function* inputs(): AsyncGenerator<SessionInput> {
        for await (const req of requests) {
          const action = req.action;
          if (action?.$case === "start") {
            const s = action.value;
            const args = { userId: s.userId, count: s.count, surface: s.surface, context: s.context?.attributes ?? {}, exclude: [] };
            validateRecommend(args, "start.");
            start = { userId: s.userId, count: s.count, surface: s.surface, context: args.context };
            yield { kind: "start", start };
          } else if (action?.$case === "interaction") {
            const input = interactionInput(action.value);
            try {
              const interaction = validateInteraction({ ...input, userId: input.userId || start?.userId || "" }, limits.interactions, "interaction");
              yield { kind: "interaction", interaction };
            } catch (error) {
              yield { kind: "invalid", error };
            }
          } else if (action?.$case === "refresh") {
            yield { kind: "refresh", exclude: action.value.excludeItemIds };
          } else {
            throw new InvalidArgumentError("action", "each message must be start, interaction or refresh");
          }
        }
      }
      const outputs = liveSession(inputs(), {
        recommend: (s, exclude) => recommend({ ...s, exclude }, Date.now() + deps.defaultDeadlineMs, call.signal),
        track,
        refreshDelayMs: limits.sessionRefreshDelayMs,
      });
      for await (const o of outputs) {
        if (o.kind === "recommendations") yield SessionResponse.fromPartial({ event: { $case: "recommendations", value: recommendResponse(o.recommendation, false) } });
        else if (o.kind === "tracked") {
          yield SessionResponse.fromPartial({ event: { $case: "tracked", value: { eventId: o.eventId, sequence: String(o.sequence), duplicate: o.duplicate } } });
        } else {
          const s = toStatus(o.error, call.logger);
          yield SessionResponse.fromPartial({ event: { $case: "error", value: { code: s.code, message: s.details, field: fieldOf(o.error) } } });
        }
      }
    }),
  };
}

function fieldOf(err: unknown): string {
  return err instanceof InvalidArgumentError ? err.field : "";
}
