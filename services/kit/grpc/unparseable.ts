import type { ServiceDefinition } from "@grpc/grpc-js";
import { InvalidArgumentError } from "../errors/errors.js";

/**
 * Stands in for a request message whose bytes do not decode. grpc-js answers a
 * deserializer that throws with INTERNAL "Error deserializing request", which
 * reads as a server fault; handing the handler this marker instead lets it
 * refuse the request with INVALID_ARGUMENT and the decoder's reason.
 */
export class UnparseableMessage {
  constructor(readonly reason: string) {}
}

/** The definition with every request deserializer returning an UnparseableMessage instead of throwing. */
export function tolerantDefinition(definition: ServiceDefinition): ServiceDefinition {
  const tolerant = Object.entries(definition).map(([name, method]) => {
    const decode = method.requestDeserialize;
    const requestDeserialize = (bytes: Buffer) => {
      try {
        return decode(bytes);
      } catch (err) {
        return new UnparseableMessage(err instanceof Error ? err.message : String(err));
      }
    };
    return [name, { ...method, requestDeserialize }];
  });
  return Object.fromEntries(tolerant) as ServiceDefinition;
}

/** The message, or INVALID_ARGUMENT naming `field` when its bytes did not decode. */
export function parsedOrRefused<T>(message: T | UnparseableMessage, field: string): T {
  if (message instanceof UnparseableMessage) throw new InvalidArgumentError(field, `not a valid protobuf encoding of the request message (${message.reason})`);
  return message;
}
