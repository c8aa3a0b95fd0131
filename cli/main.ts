import { Command } from "commander";
import { ConfigError } from "../services/kit/config/load-config.js";
import { registerCertsCommand } from "./commands/certs.js";
import { registerImportCommand } from "./commands/import.js";
import { registerEvalCommand } from "./commands/eval.js";
import { registerPublishModelCommand } from "./commands/publish-model.js";
import { registerReplayCommand } from "./commands/replay.js";
import { registerSeedCommand } from "./commands/seed.js";
import { registerStackCommand } from "./commands/stack.js";
import { registerTrainCommand } from "./commands/train.js";

const program = new Command()
  .name("recmesh")
  .description("recmesh: real-time recommendation serving — local stack and operations")
  .showHelpAfterError();

registerStackCommand(program);
registerPublishModelCommand(program);
registerTrainCommand(program);
registerEvalCommand(program);
registerReplayCommand(program);
registerSeedCommand(program);
registerImportCommand(program);
registerCertsCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // A bad environment is the operator's to fix: say which variables, exit 2 as the services do, no stack trace.
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`recmesh: ${err.message}\n`);
  process.exitCode = 2;
}
