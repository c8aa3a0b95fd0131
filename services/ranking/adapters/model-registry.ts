import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { ObjectStore } from "@nats-io/obj";
import { ModelPublishedEvent } from "../../../gen/recmesh/events/v1/model_published_event.js";
import type { EventPublisher } from "../../kit/events/event-publisher.js";
import { MODEL_BUCKET, MODELS_STREAM, SUBJECTS } from "../../kit/events/subjects.js";
import { ContractError, type ModelContract } from "../model/model-contract.js";
import type { Announcement } from "../model/model-manager.js";
import { contractFromManifest, contractFromManifestJson, manifestFromContract } from "./manifest-codec.js";

/** An announcement that cannot describe a servable model (undecodable or malformed manifest). */
export interface InvalidAnnouncement {
  invalid: string;
}

export interface Published {
  contract: ModelContract;
  objectName: string;
  sha256: string;
  duplicate: boolean;
}

/**
 * The model registry: model graphs in a JetStream Object Store bucket, versions
 * announced on recmesh.models.published (stream MODELS) — the announcement log
 * is what every ranking replica replays to know which version is current.
 */
export class ModelRegistry {
  constructor(
    private readonly js: JetStreamClient,
    private readonly store: ObjectStore,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Publishes a model directory (manifest.json + its graph file). Re-publishing
   * the same version changes nothing, unless an earlier run stored the graph but
   * stopped before announcing it: then it is announced now.
   */
  async publishDirectory(dir: string): Promise<Published> {
    const contract = contractFromManifestJson(await readFile(join(dir, "manifest.json"), "utf8"));
    const bytes = new Uint8Array(await readFile(join(dir, contract.file)));
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const objectName = `${contract.name}/${contract.version}/${contract.file}`;
    const existing = await this.store.info(objectName);
    if (existing && existing.description === sha256) {
      if (await this.isAnnounced(objectName, sha256)) return { contract, objectName, sha256, duplicate: true };
      // Stored by a run that stopped before announcing it: announce it now, or no replica ever serves it.
    } else {
      await this.store.putBlob({ name: objectName, description: sha256 }, bytes);
    }
    const event = ModelPublishedEvent.fromPartial({
      manifest: manifestFromContract(contract),
      bucket: MODEL_BUCKET,
      objectName,
      sha256,
      publishedAt: new Date(),
    });
    const ack = await this.publisher.publish(SUBJECTS.modelPublished, ModelPublishedEvent, event, {
      msgId: `model:${contract.name}:${contract.version}:${sha256.slice(0, 16)}`,
      stream: MODELS_STREAM,
    });
    return { contract, objectName, sha256, duplicate: ack.duplicate };
  }

  /** True when some version of `name` was ever announced (a graph stored without its announcement does not count: no replica serves it). */
  hasModel(name: string): Promise<boolean> {
    return this.anyAnnouncement((e) => e.manifest?.model?.name === name);
  }

  /**
   * Every announcement from the beginning, then new ones as they come; `caughtUp`
   * is true on the message that leaves nothing pending (the end of the backlog).
   */
  async *announcements(signal: AbortSignal): AsyncGenerator<{ announcement: Announcement | InvalidAnnouncement; caughtUp: boolean }> {
    const consumer = await this.js.consumers.get(MODELS_STREAM);
    const messages = await consumer.consume();
    signal.addEventListener("abort", () => void messages.close(), { once: true });
    for await (const m of messages) {
      yield { announcement: this.toAnnouncement(m.data), caughtUp: m.info.pending === 0 };
    }
  }

  /** Whether the announcement log holds an announcement of this object with this checksum. */
  private isAnnounced(objectName: string, sha256: string): Promise<boolean> {
    return this.anyAnnouncement((e) => e.objectName === objectName && e.sha256 === sha256);
  }

  /** Reads the announcement log from the start until one matches (the log holds one message per published version). */
  private async anyAnnouncement(matches: (event: ModelPublishedEvent) => boolean): Promise<boolean> {
    if ((await this.announcementCount()) === 0) return false;
    const consumer = await this.js.consumers.get(MODELS_STREAM);
    const messages = await consumer.consume();
    try {
      for await (const m of messages) {
        const event = decodedOrUndefined(m.data);
        if (event && matches(event)) return true;
        if (m.info.pending === 0) return false;
      }
      return false;
    } finally {
      await messages.close();
    }
  }

  /** Number of announcements stored (0: nothing was ever published). */
  async announcementCount(): Promise<number> {
    const consumer = await this.js.consumers.get(MODELS_STREAM);
    const info = await consumer.info(true);
    return info.num_pending;
  }

  private toAnnouncement(data: Uint8Array): Announcement | InvalidAnnouncement {
    let event: ModelPublishedEvent;
    let contract: ModelContract;
    try {
      event = ModelPublishedEvent.decode(data);
      if (!event.manifest) throw new ContractError("announcement carries no manifest");
      contract = contractFromManifest(event.manifest);
    } catch (err) {
      return { invalid: err instanceof Error ? err.message : String(err) };
    }
    return {
      contract,
      bytes: async () => {
        const bytes = await this.store.getBlob(event.objectName);
        if (!bytes) throw new Error(`model object ${event.objectName} is missing from bucket ${event.bucket}`);
        const sha = createHash("sha256").update(bytes).digest("hex");
        if (sha !== event.sha256) throw new Error(`model object ${event.objectName} checksum ${sha} does not match the announced ${event.sha256}`);
        return bytes;
      },
    };
  }
}

function decodedOrUndefined(data: Uint8Array): ModelPublishedEvent | undefined {
  try {
    return ModelPublishedEvent.decode(data);
  } catch {
    return undefined;
  }
}
