import { runService } from "../../mesh/index.js";
import { catalog } from "../catalog.js";
import { gateway } from "./service.js";

await runService(gateway, catalog);
