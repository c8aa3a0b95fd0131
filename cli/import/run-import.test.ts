import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../gen/recmesh/events/v1/item_upserted_event.js";
import { SUBJECTS } from "../../services/kit/events/subjects.js";
import type { Infrastructure } from "../../services/kit/infra/infrastructure.js";
import { startTestInfrastructure } from "../../services/kit/testing/test-infrastructure.js";
import { derivedEmbedding } from "../../world/index.js";
import { readEvents, subjectCounts } from "../testing/stream-contents.js";
import { ImportSetupError } from "./import-errors.js";
import { runImport, type ImportSettings } from "./run-import.js";

const fixtures = fileURLToPath(new URL("../../world/fixtures/movielens/", import.meta.url));
const movies = join(fixtures, "movies.csv");
const ratings = join(fixtures, "ratings.csv");

describe("recmesh import into a real JetStream", () => {
  let infra: Infrastructure & { dataDir: string };
  let nc: NatsConnection;
  const tmp = mkdtempSync(join(tmpdir(), "recmesh-import-"));
  const settings = (overrides: Partial<ImportSettings>): ImportSettings => ({
    maps: [],
    source: "ml",
    defaultType: "rating",
    tagSeparator: "|",
    dryRun: false,
    nats: infra.natsUrl,
    streams: { replicas: 1, eventRetentionDays: 1 },
    progress: false,
    onBadRow: () => undefined,
    ...overrides,
  });

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    nc = await connect({ servers: infra.natsUrl });
  });

  afterAll(async () => {
    await nc?.close();
    await infra?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("checks a MovieLens export in a dry run, naming each bad row by file, line and column, publishing nothing", async () => {
    const bad: string[] = [];
    const report = await runImport(settings({ itemsPath: movies, interactionsPath: ratings, dryRun: true, onBadRow: (l) => bad.push(l) }));
    expect(report.items).toMatchObject({ rows: 14, accepted: 11, skipped: 3 });
    expect(report.interactions).toMatchObject({ rows: 31, accepted: 24, skipped: 7 });
    expect(bad).toEqual([
      `${movies}:8: column 1 (movieId): value "" is empty; row skipped`,
      `${movies}:10: column 1 (movieId): value "3" duplicates the item id of line 4; row skipped`,
      `${movies}:12: expected 3 columns (movieId,title,genres), got 4; row skipped`,
      `${ratings}:8: column 3 (rating): value "abc" is not a number; row skipped`,
      `${ratings}:12: column 4 (timestamp): value "yesterday" is not a Unix time (seconds or milliseconds) or an ISO-8601 time; row skipped`,
      `${ratings}:14: column 2 (movieId): value "999" is not an item of ${movies}; row skipped`,
      `${ratings}:15: expected 4 columns (userId,movieId,rating,timestamp), got 2; row skipped`,
      `${ratings}:19: column 1 (userId): value "" is empty; row skipped`,
      `${ratings}:21: column 3 (rating): value "\\"4.0\\"x" is not a number; row skipped`,
      expect.stringMatching(new RegExp(`^${ratings}:32: malformed CSV \\(Quote Not Closed.*; lines 32–33\\); row skipped$`)),
    ]);
    expect(await subjectCounts(nc).catch(() => ({}))).toEqual({});
  });

  it("publishes the good rows of a MovieLens export as item and rating events, and nothing twice on re-import", async () => {
    const report = await runImport(settings({ itemsPath: movies, interactionsPath: ratings }));
    expect(report.items?.published).toEqual({ stored: 11, duplicates: 0 });
    expect(report.interactions?.published).toEqual({ stored: 24, duplicates: 0 });
    expect(await subjectCounts(nc)).toEqual({ [SUBJECTS.itemUpserted]: 11, "recmesh.events.interaction.rating": 24 });

    const events = await readEvents(nc);
    const items = events.filter((e) => e.subject === SUBJECTS.itemUpserted).map((e) => ItemUpsertedEvent.decode(e.data).item);
    const orchard = items.find((i) => i?.itemId === "3");
    expect(orchard).toMatchObject({ category: "Comedy", tags: ["Comedy", "Romance"], attributes: { title: "Quiet Orchard, The (1995)" }, available: true });
    expect(orchard?.embedding.map((v) => Math.fround(v))).toEqual(derivedEmbedding("3", "Comedy", ["Comedy", "Romance"]).map((v) => Math.fround(v)));
    expect(items.find((i) => i?.itemId === "8")).toMatchObject({ category: "uncategorized", tags: [] });

    const rating = events.find((e) => e.msgId === "import-ml-1-3-rating-964981247000");
    const decoded = InteractionEvent.decode(rating?.data ?? new Uint8Array());
    expect(decoded.interaction).toMatchObject({
      userId: "1",
      itemId: "3",
      type: InteractionType.INTERACTION_TYPE_RATING,
      value: 4,
      occurredAt: new Date(964_981_247_000),
    });

    const again = await runImport(settings({ itemsPath: movies, interactionsPath: ratings }));
    expect(again.items?.published).toEqual({ stored: 0, duplicates: 11 });
    expect(again.interactions?.published).toEqual({ stored: 0, duplicates: 24 });
    expect(await subjectCounts(nc)).toEqual({ [SUBJECTS.itemUpserted]: 11, "recmesh.events.interaction.rating": 24 });
  });

  it("reads other JSONL layouts through --map, keeping unmapped fields as attributes", async () => {
    const catalog = join(tmp, "catalog.jsonl");
    const log = join(tmp, "events.jsonl");
    writeFileSync(catalog, [JSON.stringify({ sku: "A1", cat: "shoes", labels: ["trail", "running"], brand: "Acme" }), "{oops", JSON.stringify({ sku: "B2", cat: "bags" })].join("\n"));
    writeFileSync(
      log,
      [
        JSON.stringify({ customer: "c1", product: "A1", event: "purchase", amount: 59.9, at: "2024-03-01T10:00:00Z", channel: "app" }),
        JSON.stringify({ customer: "c1", product: "B2", event: "cart", at: 1_709_287_200_000 }),
        JSON.stringify({ customer: "c2", product: "A1", event: "teleport", at: 1_709_287_200 }),
      ].join("\n"),
    );
    const bad: string[] = [];
    const report = await runImport(
      settings({
        itemsPath: catalog,
        interactionsPath: log,
        source: "shop",
        maps: ["items.item_id=sku", "category=cat", "tags=labels", "user_id=customer", "interactions.item_id=product", "type=event", "value=amount", "timestamp=at"],
        onBadRow: (l) => bad.push(l),
      }),
    );
    expect(report.items).toMatchObject({ accepted: 2, skipped: 1 });
    expect(report.interactions).toMatchObject({ accepted: 2, skipped: 1 });
    expect(bad[0]).toMatch(new RegExp(`^${catalog}:2: not valid JSON`));
    expect(bad[1]).toBe(`${log}:3: field "event": value "teleport" is not an interaction type (one of view, click, add_to_cart, addtocart, cart, purchase, buy, transaction, rating, rate, dismiss); row skipped`);

    const events = await readEvents(nc);
    const purchase = InteractionEvent.decode(events.find((e) => e.msgId === "import-shop-c1-A1-purchase-1709287200000")?.data ?? new Uint8Array());
    expect(purchase.interaction).toMatchObject({ type: InteractionType.INTERACTION_TYPE_PURCHASE, value: 59.9, attributes: { channel: "app" } });
    const cart = events.find((e) => e.msgId === "import-shop-c1-B2-add_to_cart-1709287200000");
    expect(cart?.subject).toBe("recmesh.events.interaction.add_to_cart");
    const shoe = ItemUpsertedEvent.decode(events.find((e) => e.msgId === "import-shop-item-A1")?.data ?? new Uint8Array()).item;
    expect(shoe).toMatchObject({ category: "shoes", tags: ["trail", "running"], attributes: { brand: "Acme" } });
  });

  it("stops before reading rows when a required column cannot be found, naming it and the fix", async () => {
    const log = join(tmp, "clicks.csv");
    writeFileSync(log, "visitor,product,when\nv1,p1,1700000000\n");
    const attempt = runImport(settings({ interactionsPath: log, defaultType: "click" }));
    await expect(attempt).rejects.toThrow(ImportSetupError);
    await expect(runImport(settings({ interactionsPath: log, defaultType: "click" }))).rejects.toThrow(
      `${log}: no column for user_id (looked for user_id, userId, customer_id, visitorid, user; columns: visitor, product, when); name it with --map interactions.user_id=<column>`,
    );
    await expect(runImport(settings({ interactionsPath: log, maps: ["user_id=visitor", "item_id=product", "timestamp=when"] }))).rejects.toThrow(
      /without a type column every row is a rating, but there is no rating column/,
    );
    await expect(runImport(settings({ interactionsPath: log, maps: ["colour=visitor"] }))).rejects.toThrow(/--map "colour=visitor": unknown field "colour"/);
    await expect(runImport(settings({ interactionsPath: join(tmp, "missing.csv") }))).rejects.toThrow(/cannot read .*missing\.csv: no such file/);
  });
});
