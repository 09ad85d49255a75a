import { runService } from "../../mesh/index.js";
import { catalog } from "../catalog.js";
import { notificationService } from "./service.js";

await runService(notificationService, catalog);
