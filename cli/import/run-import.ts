import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../gen/recmesh/events/v1/item_upserted_event.js";
import { EventPublisher } from "../../services/kit/events/event-publisher.js";
import { natsConnectionOptions, type NatsTarget } from "../../services/kit/events/nats-options.js";
import { EVENTS_STREAM } from "../../services/kit/events/subjects.js";
import { declareStreams, type StreamSettings } from "../../services/kit/events/topology.js";
import { Progress } from "../publishing/progress.js";
import type { PublishTally } from "../publishing/publish-window.js";
import { withoutStackTraces } from "../publishing/without-stack-traces.js";
import { parseColumnOverrides } from "./column-mapping.js";
import type { ImportedInteractionType } from "./field-parsers.js";
import { importFile, type FileOutcome } from "./import-file.js";
import { ImportSetupError } from "./import-errors.js";
import { importedInteractionEvent, importedItemEvent } from "./import-events.js";
import { formatOf, type SourceFormat } from "./record-source.js";
import { mapInteractionRow, mapItemRow } from "./row-mapper.js";

export interface ImportSettings {
  itemsPath?: string;
  interactionsPath?: string;
  /** Both files' format; by default each file's extension decides. */
  format?: SourceFormat;
  /** --map values. */
  maps: readonly string[];
  /** Names the data set in event ids. */
  source: string;
  /** Type of interaction rows when the file has no type column. */
  defaultType: ImportedInteractionType;
  tagSeparator: string;
  dryRun: boolean;
  nats: NatsTarget;
  streams: StreamSettings;
  window?: number;
  progress: boolean;
  /** Receives one line per bad row (default: printed to stderr, above the progress bars). */
  onBadRow?: (line: string) => void;
}

export interface ImportReport {
  items?: FileOutcome;
  interactions?: FileOutcome;
  dryRun: boolean;
  /** Reading, checking and publishing both files, acks included. */
  elapsedMs: number;
}

/**
 * Imports a catalog and/or an interaction log: items first (all of them, so
 * interactions can be checked against the catalog), then interactions
 * streamed from the file. Every bad row is reported and skipped.
 */
export async function runImport(settings: ImportSettings): Promise<ImportReport> {
  const { itemsPath, interactionsPath } = settings;
  if (!itemsPath && !interactionsPath) throw new ImportSetupError("nothing to import: give --items <file> and/or --interactions <file>");
  const overrides = parseColumnOverrides(settings.maps);
  const progress = new Progress(settings.progress);
  const onBadRow = settings.onBadRow ?? ((line: string) => progress.note(line));
  let nc: NatsConnection | undefined;
  try {
    if (!settings.dryRun) {
      nc = await connect(natsConnectionOptions(settings.nats));
      await declareStreams(await jetstreamManager(nc), settings.streams);
    }
    const publisher = nc ? new EventPublisher(jetstream(nc)) : undefined;
    const importedAt = new Date();
    const started = performance.now();
    return await withoutStackTraces(async () => {
      const report: ImportReport = { dryRun: settings.dryRun, elapsedMs: 0 };
      const catalog = new Map<string, number>();
      if (itemsPath) {
        report.items = await importFile({
          path: itemsPath,
          kind: "items",
          format: formatOf(itemsPath, settings.format),
          overrides,
          codec: ItemUpsertedEvent,
          map: (record, plan) => mapItemRow(itemsPath, record, plan, settings.tagSeparator),
          check: (item, line) => {
            const first = catalog.get(item.itemId);
            if (first !== undefined) return { field: "item_id", value: item.itemId, reason: `duplicates the item id of line ${first}` };
            catalog.set(item.itemId, line);
            return undefined;
          },
          toEvent: (item) => importedItemEvent(settings.source, item, importedAt),
          publisher,
          window: settings.window,
          progress,
          onBadRow,
        });
      }
      if (interactionsPath) {
        report.interactions = await importFile({
          path: interactionsPath,
          kind: "interactions",
          format: formatOf(interactionsPath, settings.format),
          overrides,
          codec: InteractionEvent,
          checkPlan: (plan) => {
            if (!plan.fields.type && settings.defaultType === "rating" && !plan.fields.value) {
              throw new ImportSetupError(
                `${interactionsPath}: without a type column every row is a rating, but there is no rating column (looked for value, rating, score, amount); name it with --map interactions.value=<column>, or choose another --type`,
              );
            }
          },
          map: (record, plan) => mapInteractionRow(interactionsPath, record, plan, settings.defaultType),
          check: (interaction) =>
            itemsPath && !catalog.has(interaction.itemId)
              ? { field: "item_id", value: interaction.itemId, reason: `is not an item of ${itemsPath}` }
              : undefined,
          toEvent: (interaction) => importedInteractionEvent(settings.source, interaction),
          publisher,
          window: settings.window,
          progress,
          onBadRow,
        });
      }
      report.elapsedMs = performance.now() - started;
      return report;
    });
  } finally {
    progress.stop();
    await nc?.drain();
  }
}

/** The summary lines of an import. */
export function describeImport(report: ImportReport): string[] {
  const tally = (t: PublishTally | undefined) => (t ? `, ${t.stored} stored${t.duplicates > 0 ? `, ${t.duplicates} already in the stream` : ""}` : "");
  const line = (label: string, o: FileOutcome) =>
    `${label}: ${o.rows} rows read from ${o.path}: ${o.accepted} ${report.dryRun ? "valid" : "published"}${tally(o.published)}, ${o.skipped} bad rows skipped`;
  const rows = (report.items?.rows ?? 0) + (report.interactions?.rows ?? 0);
  const seconds = report.elapsedMs / 1000;
  return [
    ...(report.items ? [line("items", report.items)] : []),
    ...(report.interactions ? [line("interactions", report.interactions)] : []),
    `${report.dryRun ? "dry run: nothing was published; " : ""}${rows} rows in ${seconds.toFixed(1)} s, ${Math.round(rows / Math.max(seconds, 0.001))} rows/s`,
  ];
}
