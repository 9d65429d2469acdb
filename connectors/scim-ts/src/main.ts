// Serves the SCIM connector: node dist/src/main.js (the host sets the environment).
import { serve } from "ecma2-sdk";

import { ScimConnector } from "./connector.js";

await serve({ name: "scim", version: "0.1.0", create: () => new ScimConnector() });
