import { Command } from "commander";
import { registerStackCommand } from "./commands/stack.js";

const program = new Command()
  .name("recmesh")
  .description("recmesh: real-time recommendation serving — local stack and operations")
  .showHelpAfterError();

registerStackCommand(program);

await program.parseAsync(process.argv);
