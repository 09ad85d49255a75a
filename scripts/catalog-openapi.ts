import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { openApiDocument, type OpenApiDocument } from "../mesh/rest/openapi.js";
import { commentsFrom } from "../mesh/rest/proto-comments.js";
import { catalog } from "../services/catalog.js";

/** Where `npm run generate` writes the document (committed, served by the gateway). */
export const documentPath = "docs/openapi.json";

/** The buf image of proto/ that `npm run generate` and `npm install` build: the descriptors with their comments. */
export const imagePath = "gen/contract.binpb";

/** Builds the buf image of proto/ (buf keeps source info, hence comments, by default). */
export async function buildImage(out: string): Promise<void> {
  await promisify(execFile)(join(process.cwd(), "node_modules", ".bin", "buf"), ["build", "-o", out]);
}

/** The OpenAPI document of every service in the catalog, its descriptions read from the image at `image`. */
export async function catalogOpenApi(image: string): Promise<OpenApiDocument> {
  const { version } = JSON.parse(await readFile("package.json", "utf8")) as { version: string };
  return openApiDocument(catalog.flatMap((entry) => entry.serves), {
    title: "Flower mesh API",
    version,
    description: "The REST side of the catalog's gRPC services (google.api.http transcoding), in protobuf JSON. "
      + "Every error is a google.rpc.Status: the gRPC code, a message, and details such as google.rpc.BadRequest.",
    comments: commentsFrom(createFileRegistry(fromBinary(FileDescriptorSetSchema, await readFile(image)))),
  });
}

/** The document as committed: 2-space indent, trailing newline. */
export const documentText = (document: OpenApiDocument): string => `${JSON.stringify(document, null, 2)}\n`;
