// Serves the People example: node dist/examples/people/main.js (the host sets the environment).
import { serve } from "../../src/index.js";
import { People } from "./connector.js";

await serve({ name: "people", version: "0.1.0", create: () => new People() });
