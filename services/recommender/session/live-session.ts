import { InvalidArgumentError } from "../../kit/errors/errors.js";
import type { Recommendation } from "../pipeline/recommend-pipeline.js";
import type { Interaction } from "../tracking/interaction.js";
import { AsyncChannel } from "./async-channel.js";

export interface SessionStart {
  userId: string;
  count: number;
  surface: string;
  context: Record<string, string>;
}

export type SessionInput =
  | { kind: "start"; start: SessionStart }
  | { kind: "interaction"; interaction: Interaction }
  | { kind: "refresh"; exclude: string[] }
  /** A message that failed validation: answered with its error, the session goes on. */
  | { kind: "invalid"; error: unknown };

export type SessionOutput =
  | { kind: "recommendations"; recommendation: Recommendation }
  | { kind: "tracked"; eventId: string; sequence: number; duplicate: boolean }
  | { kind: "error"; error: unknown };

export interface SessionDeps {
  recommend(start: SessionStart, exclude: string[]): Promise<Recommendation>;
  track(interaction: Interaction): Promise<{ eventId: string; sequence: number; duplicate: boolean }>;
  /** How long after an interaction the feed refreshes by itself (bursts coalesce into one refresh). */
  refreshDelayMs: number;
}

/**
 * A live feed: the first message starts it and gets a list; every interaction is
 * stored (and acknowledged) and, shortly after, answered with a fresh list that
 * excludes everything already shown or interacted with; a refresh asks for one
 * now. One bad message gets an error answer; the session goes on.
 */
export async function* liveSession(inputs: AsyncIterable<SessionInput>, deps: SessionDeps): AsyncGenerator<SessionOutput> {
  const out = new AsyncChannel<SessionOutput>();
  const excluded = new Set<string>();
  let start: SessionStart | undefined;
  let timer: NodeJS.Timeout | undefined;
  let busy = Promise.resolve();

  const refresh = (extra: string[] = []) => {
    if (!start) return;
    const s = start;
    for (const id of extra) excluded.add(id);
    busy = busy.then(async () => {
      try {
        const r = await deps.recommend(s, [...excluded]);
        for (const i of r.items) excluded.add(i.itemId);
        out.push({ kind: "recommendations", recommendation: r });
      } catch (error) {
        out.push({ kind: "error", error });
      }
    });
    return busy;
  };

  const reader = (async () => {
    for await (const input of inputs) {
      if (input.kind === "invalid") {
        out.push({ kind: "error", error: input.error });
      } else if (input.kind === "start") {
        start = input.start;
        await refresh();
      } else if (!start) {
        out.push({ kind: "error", error: new InvalidArgumentError("start", "the first message of a session must be start") });
      } else if (input.kind === "refresh") {
        if (timer) clearTimeout(timer);
        await refresh(input.exclude);
      } else {
        try {
          if (input.interaction.userId !== start.userId) {
            throw new InvalidArgumentError("interaction.user_id", `must be the session's user "${start.userId}"`);
          }
          const ack = await deps.track(input.interaction);
          excluded.add(input.interaction.itemId);
          out.push({ kind: "tracked", ...ack });
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => void refresh(), deps.refreshDelayMs);
        } catch (error) {
          out.push({ kind: "error", error });
        }
      }
    }
    if (timer) clearTimeout(timer);
    await busy;
  })().then(
    () => out.close(),
    (err: unknown) => out.close(err),
  );

  try {
    yield* out;
  } finally {
    if (timer) clearTimeout(timer);
    await reader;
  }
}
