import { runService } from "../../mesh/index.js";
import { catalog } from "../catalog.js";
import { paymentService } from "./service.js";

await runService(paymentService, catalog);
