import {
  Client,
  credentials,
  Metadata,
  status,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ClientWritableStream,
  type ServiceError,
  type StatusObject,
} from "@grpc/grpc-js";

export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/** How a raw call ended, as the client saw it. */
export interface RawOutcome {
  code: number;
  details: string;
  /** Response messages received before the status. */
  messages: number;
}

export interface RawCallOptions {
  deadlineMs: number;
  /** Cancel the call after this long (a client that goes away mid-stream). */
  cancelAfterMs?: number;
  /** Client-streaming and bidi calls: leave the request side open (no half-close) until cancelled or the deadline. */
  keepOpen?: boolean;
}

const identity = (b: Buffer): Buffer => b;

/**
 * A gRPC client that sends pre-encoded bytes as request messages and never
 * decodes answers: what an attacker or a broken client can put on the wire,
 * bypassing every generated encoder.
 */
export class RawClient {
  private readonly client: Client;

  constructor(address: string) {
    // No client-side size limits: oversized messages must reach the server's own limit.
    this.client = new Client(address, credentials.createInsecure(), { "grpc.max_send_message_length": -1, "grpc.max_receive_message_length": -1 });
  }

  call(path: string, kind: MethodKind, messages: readonly Uint8Array[], options: RawCallOptions): Promise<RawOutcome> {
    const bodies = messages.map((m) => Buffer.from(m.buffer, m.byteOffset, m.byteLength));
    const callOptions = { deadline: Date.now() + options.deadlineMs };
    return new Promise((resolve) => {
      let received = 0;
      const done = (s: Pick<StatusObject, "code" | "details">) => resolve({ code: s.code, details: s.details, messages: received });
      const unaryDone = (err: ServiceError | null) => {
        if (err === null) received++;
        done(err ?? { code: status.OK, details: "" });
      };
      // Failures arrive as the status (or the callback); without a listener an 'error' event would throw.
      const onResponses = (call: ClientReadableStream<Buffer> | ClientDuplexStream<Buffer, Buffer>) => {
        call.on("data", () => received++);
        call.on("status", done);
        call.on("error", () => undefined);
      };
      const send = (call: ClientWritableStream<Buffer> | ClientDuplexStream<Buffer, Buffer>) => {
        call.on("error", () => undefined);
        for (const body of bodies) call.write(body);
        if (!options.keepOpen) call.end();
      };
      let call: ClientUnaryCall | ClientReadableStream<Buffer> | ClientWritableStream<Buffer> | ClientDuplexStream<Buffer, Buffer>;
      if (kind === "unary") {
        call = this.client.makeUnaryRequest(path, identity, identity, bodies[0] ?? Buffer.alloc(0), new Metadata(), callOptions, unaryDone);
      } else if (kind === "server_streaming") {
        const stream = this.client.makeServerStreamRequest(path, identity, identity, bodies[0] ?? Buffer.alloc(0), new Metadata(), callOptions);
        onResponses(stream);
        call = stream;
      } else if (kind === "client_streaming") {
        const stream = this.client.makeClientStreamRequest(path, identity, identity, new Metadata(), callOptions, unaryDone);
        send(stream);
        call = stream;
      } else {
        const stream = this.client.makeBidiStreamRequest(path, identity, identity, new Metadata(), callOptions);
        onResponses(stream);
        send(stream);
        call = stream;
      }
      if (options.cancelAfterMs !== undefined) setTimeout(() => call.cancel(), options.cancelAfterMs).unref();
    });
  }

  close(): void {
    this.client.close();
  }
}
