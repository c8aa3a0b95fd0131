import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["services/**/*.test.ts", "cli/**/*.test.ts", "world/**/*.test.ts", "tests/**/*.test.ts", "scripts/**/*.test.ts", "mesh/**/*.test.ts", "loadtest/**/*.test.ts", "bench/**/*.test.ts"],
    globalSetup: ["services/kit/testing/global-setup.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real servers; hangs are caught by the timeouts, never by asserting durations.
    teardownTimeout: 30_000,
  },
});
