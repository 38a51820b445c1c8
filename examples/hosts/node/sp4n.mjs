// A small sp4n HTTP client for Node.js hosts (Node 20+): built-in fetch and crypto, no npm packages.
//
// Client    submits, gets, lists a queue (following its cursor) and fires triggers with If-Match.
// Problem   every RFC 9457 problem+json answer becomes one, of a subclass chosen by its status.
// verifyWebhook  checks a Standard Webhooks signature on a delivery sp4n POSTed to the host.

import { createHmac, timingSafeEqual } from "node:crypto";

/** An answer of sp4n that is not a success: the problem+json body's facts as properties. */
export class Problem extends Error {
  constructor(status, body, etag) {
    super(body.detail ?? `HTTP ${status}`);
    this.name = this.constructor.name;
    this.status = status;
    this.error = body.error ?? "HttpError";
    this.field = body.field ?? null;
    this.value = body.value ?? null;
    this.retryable = Boolean(body.retryable);
    this.etag = etag ?? null; // on 412: the complaint's current ETag
    this.body = body;
  }

  /** The error for one answer (a subclass by status; any other status: Problem itself). */
  static from(status, body, etag) {
    const Kind = BY_STATUS[status] ?? Problem;
    return new Kind(status, typeof body === "object" && body !== null ? body : {}, etag);
  }
}

/** 400, 413 or 422: the request itself is wrong (see field and value); do not retry it as is. */
export class InvalidRequest extends Problem {}
/** 401: no key where one is needed, or the key is unknown or revoked. */
export class Unauthenticated extends Problem {}
/** 403: the acting person lies outside the key's scope, or may not do this. */
export class Forbidden extends Problem {}
/** 404: no such complaint, or one the caller may not see (sp4n answers both alike). */
export class NotFound extends Problem {}
/** 409: the transition is not allowed now, or a conflict (`retryable` says whether to retry). */
export class Conflict extends Problem {}
/** 412 or 428: the complaint moved on since its ETag was read (`etag` is the current one). */
export class PreconditionFailed extends Problem {}
/** 503: the database is not available; retry later. */
export class Unavailable extends Problem {}

const BY_STATUS = {
  400: InvalidRequest,
  413: InvalidRequest,
  422: InvalidRequest,
  401: Unauthenticated,
  403: Forbidden,
  404: NotFound,
  409: Conflict,
  412: PreconditionFailed,
  428: PreconditionFailed,
  503: Unavailable,
};

/** A webhook delivery whose signature or timestamp does not hold; `field` names what is wrong. */
export class InvalidSignature extends Error {
  constructor(field, reason) {
    super(`${field}: ${reason}`);
    this.name = "InvalidSignature";
    this.field = field;
  }
}

export class Client {
  /**
   * @param {string} baseUrl  e.g. http://127.0.0.1:8000
   * @param {string} apiKey   sp4n_<id>_<secret>, from `sp4n keys create`
   * @param {{id: string, role: string, agency?: string, unit?: string}} actor  the person acting
   * @param {{retries?: number, timeoutMs?: number}} options  retries of retryable problems (409 retryable, 503)
   */
  constructor(baseUrl, apiKey, actor, { retries = 2, timeoutMs = 30_000 } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.apiKey = apiKey;
    this.actor = actor;
    this.retries = retries;
    this.timeoutMs = timeoutMs;
  }

  /** File a complaint; the same idempotency key on a retry files nothing new. */
  async submit(complaint, idempotencyKey) {
    return (await this.send("POST", "/v1/complaints", { body: complaint, headers: { "Idempotency-Key": idempotencyKey } })).body;
  }

  /** The complaint and its ETag (its version, to send back as If-Match when firing). */
  async get(id) {
    const { body, headers } = await this.send("GET", `/v1/complaints/${encodeURIComponent(id)}`);
    return { view: body, etag: headers.get("etag") };
  }

  /**
   * Every complaint passing the filters (the names of engine.find: state, agency, unit, category,
   * breached, due_within, order, ...), page after page by the cursor. An array value is repeated
   * (state=a&state=b).
   */
  async *queue(filters = {}, pageSize = 50) {
    let cursor = null;
    do {
      const query = { ...filters, limit: pageSize, cursor };
      const page = (await this.send("GET", "/v1/complaints", { query })).body;
      yield* page.items;
      cursor = page.next_cursor;
    } while (cursor !== null);
  }

  /** The triggers the acting person may fire now. */
  async triggers(id) {
    return (await this.send("GET", `/v1/complaints/${encodeURIComponent(id)}/triggers`)).body.triggers;
  }

  /**
   * Fire a trigger if the complaint is still at `etag` (PreconditionFailed when it moved on: read
   * it again and let the person decide anew).
   */
  async fire(id, trigger, data, etag, idempotencyKey) {
    const headers = { "If-Match": etag };
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    const path = `/v1/complaints/${encodeURIComponent(id)}/${encodeURIComponent(trigger)}`;
    return (await this.send("POST", path, { body: data ?? {}, headers })).body;
  }

  /**
   * One request; a retryable problem is tried again (commands carry their idempotency key or
   * If-Match, so a retry never does a thing twice). Problems are thrown, successes returned.
   */
  async send(method, path, { query = {}, body, headers = {} } = {}) {
    for (let attempt = 0; ; attempt++) {
      const response = await this.#once(method, path, query, body, headers);
      if (response.status < 400) return response;
      const problem = Problem.from(response.status, response.body, response.headers.get("etag"));
      if (!(problem.retryable || problem instanceof Unavailable) || attempt >= this.retries) throw problem;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }

  async #once(method, path, query, body, extra) {
    const headers = {
      Authorization: `Bearer ${this.apiKey}`,
      Accept: "application/json",
      "Sp4n-Actor-Id": this.actor.id,
      "Sp4n-Actor-Role": this.actor.role,
      ...(this.actor.agency ? { "Sp4n-Actor-Agency": this.actor.agency } : {}),
      ...(this.actor.unit ? { "Sp4n-Actor-Unit": this.actor.unit } : {}),
      ...extra,
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const answer = await fetch(this.baseUrl + path + queryString(query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await answer.text();
    const isJson = (answer.headers.get("content-type") ?? "").includes("json");
    return { status: answer.status, headers: answer.headers, body: isJson && text ? JSON.parse(text) : text };
  }
}

function queryString(query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== null && one !== undefined) params.append(name, String(one));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * Standard Webhooks 1.0: the delivery's id (deduplicate on it: deliveries are at least once) when
 * one of its signatures matches one of `secrets` ("whsec_...") and its timestamp is within
 * `toleranceSeconds` of `now` (seconds). Pass the raw body as received, before parsing it.
 */
export function verifyWebhook(secrets, headers, rawBody, { now = Math.floor(Date.now() / 1000), toleranceSeconds = 300 } = {}) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const id = lower["webhook-id"] ?? "";
  const stamp = lower["webhook-timestamp"] ?? "";
  const given = lower["webhook-signature"] ?? "";
  if (!id || !stamp || !given) {
    throw new InvalidSignature("headers", "webhook-id, webhook-timestamp and webhook-signature are required");
  }
  if (!/^\d+$/.test(stamp)) throw new InvalidSignature("webhook-timestamp", `'${stamp}' is not whole seconds`);
  if (Math.abs(now - Number(stamp)) > toleranceSeconds) {
    throw new InvalidSignature("webhook-timestamp", `${stamp} is more than ${toleranceSeconds} s from now (${now})`);
  }
  const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, "utf8");
  const offered = given.split(" ").filter((s) => s.startsWith("v1,")).map((s) => Buffer.from(s));
  for (const secret of secrets) {
    const encoded = secret.replace(/^whsec_/, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw new InvalidSignature("secret", "is not whsec_ followed by base64");
    const mac = createHmac("sha256", Buffer.from(encoded, "base64"));
    mac.update(`${id}.${stamp}.`);
    mac.update(body);
    const expected = Buffer.from(`v1,${mac.digest("base64")}`);
    if (offered.some((s) => s.length === expected.length && timingSafeEqual(s, expected))) return id;
  }
  throw new InvalidSignature("webhook-signature", "no signature matches a secret of this endpoint");
}
