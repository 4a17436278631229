// The action's main entry (dist/index.js): all logic lives in run().
import { run } from './main.js';

await run();
