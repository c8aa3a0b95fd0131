import { ResourceExhaustedError } from "../../kit/errors/errors.js";

/** Sheds work beyond a fixed number of concurrent requests with RESOURCE_EXHAUSTED instead of queueing it. */
export class ConcurrencyLimiter {
  private active = 0;

  constructor(
    private readonly limit: number,
    private readonly onShed: () => void = () => undefined,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      this.onShed();
      throw new ResourceExhaustedError(`over the limit of ${this.limit} concurrent requests; retry with backoff`);
    }
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
    }
  }
}
