/** The command line: `tsx src/cli/main.ts <command> …`, through the npm scripts (see commands.ts). */
import { main } from './commands';

process.exitCode = await main(process.argv.slice(2));
