import { ndcgAtK, recallAtK } from "../../world/index.js";

/** Mean NDCG@k and recall@k of one ranking strategy over users. */
export class MetricMeans {
  private ndcg = 0;
  private recall = 0;
  private users = 0;

  constructor(readonly k: number) {}

  add(ranked: readonly string[], relevant: readonly string[]): void {
    this.ndcg += ndcgAtK(ranked, relevant, this.k);
    this.recall += recallAtK(ranked, relevant, this.k);
    this.users++;
  }

  get result(): { ndcg: number; recall: number; users: number } {
    const n = Math.max(1, this.users);
    return { ndcg: this.ndcg / n, recall: this.recall / n, users: this.users };
  }
}

/** Indices of `scores` best first (ties keep input order). */
export function orderByScore(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}
