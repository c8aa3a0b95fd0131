import { Command } from "commander";
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

await program.parseAsync(process.argv);
