// A webhook endpoint for sp4n's deliveries, on Node's own http server:
//
//   SP4N_WEBHOOK_SECRETS="whsec_..." SP4N_WEBHOOK_INBOX=/var/lib/app/inbox.jsonl PORT=9000 node webhook.mjs
//
// It checks the Standard Webhooks signature on the raw body (400 when it does not hold), drops a
// delivery it already took (deliveries are at least once), and hands the event to the app: here it
// appends the event's id, type and complaint to the inbox file, one JSON object a line.
// SP4N_WEBHOOK_SECRETS holds the endpoint's secrets, space-separated (two during a rotation).

import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import { InvalidSignature, verifyWebhook } from "./sp4n.mjs";

const secrets = (process.env.SP4N_WEBHOOK_SECRETS ?? "").split(" ").filter(Boolean);
const inbox = process.env.SP4N_WEBHOOK_INBOX;
const port = Number(process.env.PORT ?? 9000);
const taken = new Set(); // a real app keeps the ids it took in its database

const server = createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  let id;
  try {
    id = verifyWebhook(secrets, request.headers, body);
  } catch (error) {
    if (!(error instanceof InvalidSignature)) throw error;
    response.writeHead(400, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ invalid_signature: error.field }));
    return;
  }
  if (!taken.has(id)) {
    taken.add(id);
    const event = JSON.parse(body.toString("utf8"));
    appendFileSync(inbox, JSON.stringify({ id, type: event.type, subject: event.subject, data: event.data }) + "\n");
  }
  response.writeHead(204).end();
});
server.listen(port, "127.0.0.1", () => process.stdout.write(`listening on 127.0.0.1:${port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
