// The action's post entry (dist/post/index.js): the backstop that cancels a job run main left active.
import { runPost } from './cleanup.js';

await runPost();
