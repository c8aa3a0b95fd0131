import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { FailedPreconditionError, UnavailableError } from "../../kit/errors/errors.js";
import type { DefinitionStore } from "../domain/experiment-catalog.js";
import type { ExperimentDefinition } from "../domain/experiment-definition.js";
import { encodeDefinition } from "./proto-mapping.js";

/**
 * Definitions in the JetStream KV bucket, one key per experiment name, the
 * value the protobuf bytes of recmesh.experiment.v1.Experiment. Conditional
 * writes use the KV's per-key revision (optimistic concurrency).
 */
export class KvDefinitionStore implements DefinitionStore {
  constructor(private readonly kv: KV) {}

  async write(definition: ExperimentDefinition, expectedRevision: number): Promise<number> {
    const value = encodeDefinition(definition);
    try {
      return expectedRevision > 0 ? await this.kv.update(definition.name, value, expectedRevision) : await this.kv.put(definition.name, value);
    } catch (err) {
      throw storeError(err, `experiment "${definition.name}" is not at revision ${expectedRevision}; read it again`);
    }
  }

  async remove(name: string, expectedRevision: number): Promise<number> {
    try {
      await this.kv.delete(name, { previousSeq: expectedRevision });
      // The deletion marker is the key's latest entry unless someone wrote the key again right after it.
      return (await this.kv.get(name))?.revision ?? expectedRevision;
    } catch (err) {
      throw storeError(err, `experiment "${name}" changed after revision ${expectedRevision}; read it again`);
    }
  }
}

function storeError(err: unknown, conflict: string): Error {
  if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence) return new FailedPreconditionError(conflict);
  return new UnavailableError("experiment store (NATS KV) is unavailable", { cause: err });
}
