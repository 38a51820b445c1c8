// A command-line host built on sp4n.mjs: what a regional Node.js app does, one command at a time.
// Each command prints one JSON object; a problem answer is printed as one too (exit code 3), and a
// webhook that fails verification likewise (exit code 4). See README.md.
//
//   node host.mjs submit --title T [--description D] [--agency A] --idempotency-key K
//   node host.mjs queue [--state S ...] [--agency A] [--category C] [--page-size N]
//   node host.mjs fire ID TRIGGER [--data JSON] [--if-match ETAG] [--idempotency-key K]
//   node host.mjs verify-webhook --secret whsec_... [--secret ...] --header "name: value" ... [--now T] < body

import { Client, InvalidSignature, Problem, verifyWebhook } from "./sp4n.mjs";

function parseArgs(argv) {
  const positional = [];
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith("--")) (options[argv[i].slice(2)] ??= []).push(argv[++i] ?? "");
    else positional.push(argv[i]);
  }
  return { positional, options };
}

function client() {
  const env = process.env;
  const actor = { id: env.SP4N_ACTOR_ID, role: env.SP4N_ACTOR_ROLE, agency: env.SP4N_ACTOR_AGENCY, unit: env.SP4N_ACTOR_UNIT };
  return new Client(env.SP4N_BASE_URL || "http://127.0.0.1:8000", env.SP4N_API_KEY, actor);
}

const out = (data) => process.stdout.write(JSON.stringify(data) + "\n");

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function run(command, args, options) {
  const one = (name, fallback) => options[name]?.[0] ?? fallback;
  switch (command) {
    case "submit": {
      const complaint = { title: one("title"), description: one("description", "") };
      if (one("agency")) complaint.agency = one("agency");
      const view = await client().submit(complaint, one("idempotency-key"));
      return out({ id: view.id, tracking_number: view.tracking_number, state: view.state, version: view.version });
    }
    case "queue": {
      const filters = { state: options.state, agency: one("agency"), category: one("category") };
      const items = [];
      for await (const view of client().queue(filters, Number(one("page-size", "50")))) {
        items.push({ id: view.id, state: view.state, title: view.title });
      }
      return out({ count: items.length, items });
    }
    case "fire": {
      const [id, trigger] = args;
      const host = client();
      const etag = one("if-match") ?? (await host.get(id)).etag;
      const view = await host.fire(id, trigger, JSON.parse(one("data", "{}")), etag, one("idempotency-key"));
      return out({ id: view.id, state: view.state, version: view.version, if_match: etag });
    }
    case "verify-webhook": {
      const headers = {};
      for (const line of options.header ?? []) {
        const at = line.indexOf(":");
        headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      }
      const body = await readStdin();
      const now = one("now") === undefined ? undefined : Number(one("now"));
      const id = verifyWebhook(options.secret ?? [], headers, body, now === undefined ? {} : { now });
      const event = JSON.parse(body.toString("utf8"));
      return out({ verified: id, type: event.type ?? null, subject: event.subject ?? null });
    }
    default:
      process.stderr.write(`unknown command '${command}': submit, queue, fire or verify-webhook\n`);
      process.exit(2);
  }
}

const { positional, options } = parseArgs(process.argv.slice(2));
try {
  await run(positional[0] ?? "", positional.slice(1), options);
} catch (error) {
  if (error instanceof Problem) {
    const { status, field, retryable, etag } = error;
    out({ problem: error.name, status, error: error.error, detail: error.message, field, retryable, etag });
    process.exitCode = 3;
  } else if (error instanceof InvalidSignature) {
    out({ invalid_signature: error.field, detail: error.message });
    process.exitCode = 4;
  } else {
    throw error;
  }
}
