// Validate an AsyncAPI document (read from stdin) with the AsyncAPI Initiative's parser.
// Prints the diagnostics as JSON; exits 1 if any is an error.
import { Parser } from "@asyncapi/parser";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { document, diagnostics } = await new Parser().parse(Buffer.concat(chunks).toString("utf8"));
const errors = diagnostics.filter((d) => d.severity === 0);
console.log(JSON.stringify({ valid: Boolean(document) && errors.length === 0, diagnostics }, null, 1));
process.exit(document && errors.length === 0 ? 0 : 1);
