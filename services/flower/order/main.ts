import { runService } from "../../../mesh/index.js";
import { catalog } from "../../catalog.js";
import { orderService } from "./service.js";

await runService(orderService, catalog);
