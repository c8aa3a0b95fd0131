/**
 * Answers a stream of requests in request order with up to `window` answers in
 * flight: later requests start while earlier answers are pending (so their
 * store reads are pipelined), but answers are yielded strictly in order, and
 * no more requests are read while the window is full, so a caller that stops
 * reading answers stops the flow of requests too. A rejected answer ends the
 * stream with that error.
 */
export async function* answerInOrder<Req, Res>(
  requests: AsyncIterable<Req>,
  answer: (request: Req) => Promise<Res>,
  window: number,
): AsyncGenerator<Res> {
  const source = requests[Symbol.asyncIterator]();
  const pending: Promise<Res>[] = [];
  let next: Promise<IteratorResult<Req>> | undefined;
  let exhausted = false;
  try {
    while (!exhausted || pending.length > 0) {
      if (!exhausted && pending.length < window) {
        next ??= source.next();
        const head = pending[0];
        const first = head
          ? await Promise.race([next.then(() => "request" as const), head.then(
              () => "answer" as const,
              () => "answer" as const,
            )])
          : "request";
        if (first === "request") {
          const result = await next;
          next = undefined;
          if (result.done) exhausted = true;
          else pending.push(started(answer(result.value)));
          continue;
        }
      }
      yield await (pending.shift() as Promise<Res>);
    }
  } finally {
    // Left to the transport: the call's own end or cancellation closes the request side.
    next?.catch(() => undefined);
  }
}

/** Marks a promise as observed so a rejection is not reported as unhandled before its turn comes. */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
