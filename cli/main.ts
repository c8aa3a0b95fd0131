import { Command } from "commander";
import { registerPublishModelCommand } from "./commands/publish-model.js";
import { registerStackCommand } from "./commands/stack.js";

const program = new Command()
  .name("recmesh")
  .description("recmesh: real-time recommendation serving — local stack and operations")
  .showHelpAfterError();

registerStackCommand(program);
registerPublishModelCommand(program);

await program.parseAsync(process.argv);
