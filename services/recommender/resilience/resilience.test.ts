import { describe, expect, it } from "vitest";
import { ResourceExhaustedError } from "../../kit/errors/errors.js";
import { CandidateBudget } from "./candidate-budget.js";
import { ConcurrencyLimiter } from "./concurrency-limiter.js";

describe("ConcurrencyLimiter", () => {
  it("sheds calls beyond the limit and admits again once one finishes", async () => {
    let shed = 0;
    const limiter = new ConcurrencyLimiter(2, () => shed++);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const a = limiter.run(() => gate);
    const b = limiter.run(() => gate);
    await expect(limiter.run(async () => "c")).rejects.toBeInstanceOf(ResourceExhaustedError);
    expect(shed).toBe(1);
    release();
    await Promise.all([a, b]);
    await expect(limiter.run(async () => "d")).resolves.toBe("d");
    expect(limiter.inFlight).toBe(0);
  });
});

describe("CandidateBudget", () => {
  const settings = { max: 500, min: 100, targetMs: 20, smoothing: 0.5 };

  it("shrinks under sustained latency above target, never below the minimum", () => {
    const budget = new CandidateBudget(settings);
    for (let i = 0; i < 50; i++) budget.observe(60);
    expect(budget.size).toBe(100);
    expect(budget.narrowed).toBe(true);
  });

  it("grows back to the maximum once latency is comfortably under target", () => {
    const budget = new CandidateBudget(settings);
    for (let i = 0; i < 20; i++) budget.observe(60);
    for (let i = 0; i < 200; i++) budget.observe(5);
    expect(budget.size).toBe(500);
    expect(budget.narrowed).toBe(false);
  });

  it("does not narrow on the slow first requests of a cold process", () => {
    const budget = new CandidateBudget(settings);
    for (const ms of [2_000, 900, 300, 120]) budget.observe(ms);
    for (let i = 0; i < 30; i++) budget.observe(5);
    expect(budget.size).toBe(500);
    expect(budget.narrowed).toBe(false);
  });

  it("ignores a single slow request", () => {
    const budget = new CandidateBudget({ ...settings, smoothing: 0.1 });
    for (let i = 0; i < 40; i++) budget.observe(5);
    budget.observe(100);
    expect(budget.size).toBe(500);
  });
});
