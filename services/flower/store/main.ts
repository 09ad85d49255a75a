import { runService } from "../../../mesh/index.js";
import { catalog } from "../../catalog.js";
import { storeService } from "./service.js";

await runService(storeService, catalog);
