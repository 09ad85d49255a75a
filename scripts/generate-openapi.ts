// `npm run generate`, after buf generate and buf build: writes docs/openapi.json from the contract.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { buildImage, catalogOpenApi, documentPath, documentText, imagePath } from "./catalog-openapi.js";

if (!existsSync(imagePath)) await buildImage(imagePath);
await writeFile(documentPath, documentText(await catalogOpenApi(imagePath)));
console.log(`wrote ${documentPath}`);
