import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { FeatureServiceClient } from "../../../gen/recmesh/feature/v1/feature_service.js";
import type { ViewLayout } from "../model/feature-layout.js";
import type { Announcement, ModelManager } from "../model/model-manager.js";
import { fetchViewLayouts } from "./feature-views-client.js";
import type { ModelRegistry } from "./model-registry.js";

/** Reads the feature registry, retrying until the feature service answers. */
export async function waitForFeatureRegistry(client: FeatureServiceClient, logger: Logger): Promise<Map<string, ViewLayout>> {
  for (let attempt = 1; ; attempt++) {
    try {
      const layouts = await fetchViewLayouts(client, 2_000);
      logger.info({ views: [...layouts.keys()] }, "feature registry loaded");
      return layouts;
    } catch (err) {
      if (attempt % 10 === 1) logger.warn({ err: err instanceof Error ? err.message : String(err) }, "feature registry unavailable; retrying");
      await sleep(500);
    }
  }
}

/**
 * Replays the announcement log: the backlog is reduced to the newest version
 * per model name before loading (so a restart loads each model once), then every
 * later announcement is applied as it arrives. Resolves when the backlog is done.
 */
export function followAnnouncements(registry: ModelRegistry, models: ModelManager, signal: AbortSignal, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    void (async () => {
      if ((await registry.announcementCount()) === 0) resolve();
      const backlog = new Map<string, Announcement>();
      let live = false;
      for await (const { announcement, caughtUp } of registry.announcements(signal)) {
        if ("invalid" in announcement) {
          logger.error({ reason: announcement.invalid }, "invalid model announcement ignored");
        } else if (live) {
          await models.apply(announcement);
        } else {
          backlog.set(announcement.contract.name, announcement);
        }
        if (caughtUp && !live) {
          live = true;
          for (const a of backlog.values()) await models.apply(a);
          resolve();
        }
      }
    })().catch((err: unknown) => {
      if (!signal.aborted) logger.error({ err }, "model announcement stream failed");
      resolve();
    });
  });
}
