import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseScript } from "./static-check/k6-grpc-calls.js";
import { checkScript, loadContracts } from "./static-check/request-checker.js";

// k6 is not installable here: these checks hold the scripts to the contracts without running them.
const LOADTEST = fileURLToPath(new URL(".", import.meta.url));
const contracts = loadContracts(join(LOADTEST, "../gen/recmesh.binpb"));
const scripts = readdirSync(LOADTEST).filter((f) => f.endsWith(".js")).sort();
const source = (file: string) => readFileSync(join(LOADTEST, file), "utf8");

const RECOMMEND = "recmesh.recommender.v1.RecommenderService/Recommend";
const TRACK = "recmesh.recommender.v1.RecommenderService/Track";
const SESSION = "recmesh.recommender.v1.RecommenderService/Session";

describe("k6 scripts", () => {
  it("are the three scenarios and their shared module", () => {
    expect(scripts).toEqual(["mixed-workload.js", "recmesh-grpc.js", "recommend-constant-rate.js", "session-stream.js"]);
  });

  it.each(scripts)("%s parses as an ES module", (file) => {
    expect(() => parseScript(source(file))).not.toThrow();
  });

  it.each(scripts)("%s names only RPCs of proto/ and sends only fields of their request messages", (file) => {
    expect(checkScript(source(file), contracts).problems).toEqual([]);
  });

  it("send the requests each scenario is about", () => {
    const sent = (file: string) => checkScript(source(file), contracts).calls.requests.map((r) => r.method);
    expect(sent("recommend-constant-rate.js")).toEqual([RECOMMEND]);
    expect(sent("mixed-workload.js").sort()).toEqual([RECOMMEND, TRACK]);
    // start, interaction and refresh: each member of SessionRequest's oneof.
    expect(sent("session-stream.js")).toEqual([SESSION, SESSION, SESSION]);
  });

  it("load the proto files and the descriptor set from paths that exist relative to loadtest/", () => {
    const sources = checkScript(source("recmesh-grpc.js"), contracts).calls.protoSources;
    expect(sources).toHaveLength(2);
    for (const { importPaths, files } of sources) {
      const roots = importPaths.length > 0 ? importPaths : ["."];
      for (const file of files) expect(roots.some((root) => existsSync(join(LOADTEST, root, file))), file).toBe(true);
    }
  });
});

describe("the static check", () => {
  const problemsOf = (script: string) => checkScript(script, contracts).problems;
  const invoke = (method: string, request: string) => `client.invoke(${JSON.stringify(method)}, ${request});`;

  it("accepts JSON names, proto names, enum value names and string timestamps", () => {
    const good = [
      invoke(RECOMMEND, `{ userId: "u", exclude_item_ids: ["a"], context: { attributes: { device: "web" } } }`),
      invoke(TRACK, `{ interaction: { item_id: "i", type: x ? "INTERACTION_TYPE_VIEW" : 2, occurredAt: new Date().toISOString() } }`),
    ].join("\n");
    expect(problemsOf(good)).toEqual([]);
  });

  it("rejects an RPC that is not in proto/", () => {
    expect(problemsOf(invoke("recmesh.recommender.v1.RecommenderService/Recommand", "{}"))).toEqual([
      "line 1: no method Recommand in recmesh.recommender.v1.RecommenderService",
    ]);
    expect(problemsOf(invoke("recmesh.nowhere.v1.NoService/Recommend", "{}"))).toEqual(["line 1: no service recmesh.nowhere.v1.NoService in proto/"]);
  });

  it("rejects fields that the input message lacks, at any depth", () => {
    expect(problemsOf(invoke(RECOMMEND, `{ user: "u" }`))).toEqual(['line 1: Recommend.user: no field "user" in recmesh.recommender.v1.RecommendRequest']);
    expect(problemsOf(invoke(TRACK, `{ interaction: { itemID: "i" } }`))).toEqual([
      'line 1: Track.interaction.itemID: no field "itemID" in recmesh.common.v1.Interaction',
    ]);
  });

  it("follows writes to a stream held in a variable", () => {
    const script = `const s = new grpc.Stream(client, ${JSON.stringify(SESSION)});\ns.write({ refresh: { excludeItems: [] } });`;
    expect(problemsOf(script)).toEqual(['line 2: Session.refresh.excludeItems: no field "excludeItems" in recmesh.recommender.v1.SessionRefresh']);
  });

  it("rejects unknown enum values, two members of one oneof and object timestamps", () => {
    expect(problemsOf(invoke(TRACK, `{ interaction: { type: "CLICK", occurredAt: { seconds: 1 } } }`))).toEqual([
      'line 1: Track.interaction.type: "CLICK" is not a value of recmesh.common.v1.InteractionType',
      "line 1: Track.interaction.occurredAt: google.protobuf.Timestamp is a string in proto JSON",
    ]);
    const both = `const s = new Stream(client, ${JSON.stringify(SESSION)}); s.write({ start: {}, refresh: {} });`;
    expect(problemsOf(both)).toEqual(["line 1: Session.refresh: start and refresh are members of the same oneof action"]);
  });

  it("reports what it cannot follow instead of skipping it", () => {
    expect(problemsOf(`client.invoke(name, {});`)).toEqual(["line 1: the RPC name must be a string literal or a string constant"]);
    expect(problemsOf(invoke(RECOMMEND, "request"))).toEqual([`line 1: the ${RECOMMEND} request must be an object literal so its fields can be checked`]);
    expect(problemsOf(invoke(RECOMMEND, "{ ...base }"))).toEqual(['line 1: Recommend: only plain "key: value" properties can be checked']);
    expect(problemsOf(invoke(TRACK, "{ interaction: built }"))).toEqual([
      "line 1: Track.interaction: a recmesh.common.v1.Interaction must be an object literal so its fields can be checked",
    ]);
    expect(problemsOf(`streams.push(new Stream(client, ${JSON.stringify(SESSION)}));`)).toEqual([
      "line 1: a Stream must be assigned to a variable so its writes can be followed",
    ]);
  });

  it("resolves an RPC name held in a top-level constant", () => {
    expect(problemsOf(`const RPC = ${JSON.stringify(RECOMMEND)};\nclient.invoke(RPC, { count: 1, surfaces: "home" });`)).toEqual([
      'line 2: Recommend.surfaces: no field "surfaces" in recmesh.recommender.v1.RecommendRequest',
    ]);
  });

  it("fails on a script that does not parse", () => {
    expect(() => parseScript("export default function () { client.invoke(")).toThrow();
  });
});
