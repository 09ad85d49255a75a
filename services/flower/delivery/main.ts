import { runService } from "../../../mesh/index.js";
import { catalog } from "../../catalog.js";
import { deliveryService } from "./service.js";

await runService(deliveryService, catalog);
