import { NotFoundError } from "../../kit/errors/errors.js";

/** Something a model table holds: released once no call uses it any more. */
export interface Releasable {
  release(): Promise<void>;
}

/** A call's hold on one model version: every score of the call comes from it. */
export interface Lease<M> {
  name: string;
  version: string;
  model: M;
  release(): void;
}

interface Entry<M> {
  name: string;
  version: string;
  model: M;
  inFlight: number;
  retired: boolean;
}

/**
 * The models being served, one current version per name. A swap is atomic: a
 * call leases the version current at its start and keeps it for its whole
 * duration; the replaced version is released once its last lease ends.
 */
export class ModelTable<M extends Releasable> {
  private readonly current = new Map<string, Entry<M>>();
  private readonly draining = new Set<Entry<M>>();
  private defaultName: string | undefined;

  constructor(private readonly onReleaseError: (err: unknown) => void = () => undefined) {}

  /** Makes `version` the current model of `name` (the default when it is the first name or `asDefault`). */
  install(name: string, version: string, model: M, asDefault = false): void {
    const previous = this.current.get(name);
    this.current.set(name, { name, version, model, inFlight: 0, retired: false });
    if (asDefault || this.defaultName === undefined) this.defaultName = name;
    if (previous) {
      previous.retired = true;
      this.draining.add(previous);
      this.releaseIfIdle(previous);
    }
  }

  /** Leases the requested model: by name (and exact version), or the default. */
  acquire(ref: { name?: string; version?: string } = {}): Lease<M> {
    const name = ref.name || this.defaultName;
    const entry = name === undefined ? undefined : this.current.get(name);
    if (!entry) throw new NotFoundError(name ? `model "${name}" is not loaded` : "no model is loaded");
    if (ref.version && ref.version !== entry.version) {
      throw new NotFoundError(`model "${entry.name}" version "${ref.version}" is not loaded (serving "${entry.version}")`);
    }
    entry.inFlight++;
    let released = false;
    return {
      name: entry.name,
      version: entry.version,
      model: entry.model,
      release: () => {
        if (released) return;
        released = true;
        entry.inFlight--;
        this.releaseIfIdle(entry);
      },
    };
  }

  get defaultModel(): string | undefined {
    return this.defaultName;
  }

  /** Serving versions, then versions still draining in-flight calls. */
  entries(): { name: string; version: string; model: M; draining: boolean; isDefault: boolean }[] {
    return [
      ...[...this.current.values()].map((e) => ({ ...e, draining: false, isDefault: e.name === this.defaultName })),
      ...[...this.draining].map((e) => ({ ...e, draining: true, isDefault: false })),
    ].map(({ name, version, model, draining, isDefault }) => ({ name, version, model, draining, isDefault }));
  }

  currentVersion(name: string): string | undefined {
    return this.current.get(name)?.version;
  }

  /** Releases every model (shutdown). */
  async close(): Promise<void> {
    const all = [...this.current.values(), ...this.draining];
    this.current.clear();
    this.draining.clear();
    await Promise.all(all.map((e) => e.model.release().catch(this.onReleaseError)));
  }

  private releaseIfIdle(entry: Entry<M>): void {
    if (!entry.retired || entry.inFlight > 0 || !this.draining.has(entry)) return;
    this.draining.delete(entry);
    entry.model.release().catch(this.onReleaseError);
  }
}
