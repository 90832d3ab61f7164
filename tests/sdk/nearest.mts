// A generated project's SDK under node (driven by tests/cdsa.rs, copied beside that project's
// `generated/sdk`): the chunks nearest to a query vector by cosine distance, within one document.
// Prints their positions as JSON, nearest first; any failure throws, and node exits 1.

import { ApiError, createClient } from "../../generated/sdk/src/index.js";

declare const process: { env: Record<string, string | undefined> };

const client = createClient({ baseUrl: process.env.API_BASE_URL ?? "", token: process.env.API_ADMIN_TOKEN ?? "" });
const vector: number[] = JSON.parse(process.env.QUERY_VECTOR ?? "[]");
const documentId = process.env.DOCUMENT_ID ?? "";

const nearest = await client.listChunks({
  nearest: { field: "embedding", metric: "cosine", vector },
  filter: { document_id: { eq: documentId } },
  limit: 5,
});
// A vector of the wrong dimensions is the client's error, said as a problem.
try {
  await client.listChunks({ nearest: { field: "embedding", metric: "l2", vector: vector.slice(1) } });
  throw new Error("expected a 400 for a vector of the wrong dimensions");
} catch (e) {
  if (!(e instanceof ApiError) || e.status !== 400) throw e;
}
console.log(JSON.stringify(nearest.map((chunk) => chunk.position)));
