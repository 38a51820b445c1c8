<?php
/**
 * A small sp4n HTTP client for PHP hosts: plain PHP 8.1+ and the curl extension, no composer.
 *
 * Client    submits, gets, lists a queue (following its cursor) and fires triggers with If-Match.
 * Actor     the person the host says is acting (sent as the Sp4n-Actor-* headers).
 * Problem   every RFC 9457 problem+json answer becomes one, of a subclass chosen by its status.
 * Webhook   checks a Standard Webhooks signature on a delivery sp4n POSTed to the host.
 */

declare(strict_types=1);

namespace Sp4n;

/** An answer of sp4n that is not a success: the problem+json body's facts as properties. */
class Problem extends \RuntimeException
{
    /** @param array<string, mixed> $body the whole problem document */
    public function __construct(
        public readonly int $status,
        public readonly string $error,
        string $detail,
        public readonly ?string $field = null,
        public readonly mixed $value = null,
        public readonly bool $retryable = false,
        public readonly ?string $etag = null,
        public readonly array $body = [],
    ) {
        parent::__construct($detail, $status);
    }

    /** The exception for one answer (a subclass by status; any other status: Problem itself). */
    public static function fromResponse(Response $response): Problem
    {
        $body = is_array($response->body) ? $response->body : [];
        $detail = (string) ($body['detail'] ?? "HTTP {$response->status}");
        $class = match ($response->status) {
            400, 413, 422 => InvalidRequest::class,
            401 => Unauthenticated::class,
            403 => Forbidden::class,
            404 => NotFound::class,
            409 => Conflict::class,
            412, 428 => PreconditionFailed::class,
            503 => Unavailable::class,
            default => Problem::class,
        };
        return new $class(
            $response->status,
            (string) ($body['error'] ?? 'HttpError'),
            $detail,
            isset($body['field']) ? (string) $body['field'] : null,
            $body['value'] ?? null,
            (bool) ($body['retryable'] ?? false),
            $response->headers['etag'] ?? null,
            $body,
        );
    }
}

/** 400, 413 or 422: the request itself is wrong (see field and value); do not retry it as is. */
class InvalidRequest extends Problem {}

/** 401: no key where one is needed, or the key is unknown or revoked. */
class Unauthenticated extends Problem {}

/** 403: the acting person lies outside the key's scope, or may not do this. */
class Forbidden extends Problem {}

/** 404: no such complaint, or one the caller may not see (sp4n answers both alike). */
class NotFound extends Problem {}

/** 409: the transition is not allowed now, or a conflict ($retryable says whether to retry). */
class Conflict extends Problem {}

/** 412 or 428: the complaint moved on since its ETag was read ($etag is the current one). */
class PreconditionFailed extends Problem {}

/** 503: the database is not available; retry later. */
class Unavailable extends Problem {}

/** The service could not be reached at all (curl's own error). */
class TransportError extends \RuntimeException {}

/** A webhook delivery whose signature or timestamp does not hold; $field names what is wrong. */
class InvalidSignature extends \RuntimeException
{
    public function __construct(public readonly string $field, string $reason)
    {
        parent::__construct("$field: $reason");
    }
}

/** One HTTP answer: status, headers (lower-case names) and the decoded JSON body. */
final class Response
{
    /** @param array<string, string> $headers */
    public function __construct(public readonly int $status, public readonly array $headers, public readonly mixed $body)
    {
    }
}

/** The person acting through the host's key: id, role, and agency and unit for agency staff. */
final class Actor
{
    public function __construct(
        public readonly string $id,
        public readonly string $role,
        public readonly ?string $agency = null,
        public readonly ?string $unit = null,
    ) {
    }

    /** @return list<string> */
    public function headers(): array
    {
        $headers = ["Sp4n-Actor-Id: {$this->id}", "Sp4n-Actor-Role: {$this->role}"];
        if ($this->agency !== null) {
            $headers[] = "Sp4n-Actor-Agency: {$this->agency}";
        }
        if ($this->unit !== null) {
            $headers[] = "Sp4n-Actor-Unit: {$this->unit}";
        }
        return $headers;
    }
}

final class Client
{
    /** @param int $retries how often a retryable problem (409 retryable, 503) is tried again */
    public function __construct(
        private readonly string $baseUrl,
        private readonly string $apiKey,
        private readonly Actor $actor,
        private readonly int $timeout = 30,
        private readonly int $retries = 2,
    ) {
    }

    /**
     * File a complaint. Send the same idempotency key when retrying after a lost answer: sp4n
     * then files nothing new and answers with the complaint filed the first time.
     *
     * @param array<string, mixed> $complaint title, description, agency, category, ...
     * @return array<string, mixed> the complaint as this actor may see it
     */
    public function submit(array $complaint, string $idempotencyKey): array
    {
        $response = $this->send('POST', '/v1/complaints', [], $complaint, ["Idempotency-Key: $idempotencyKey"]);
        return $response->body;
    }

    /**
     * The complaint and its ETag (its version, to send back as If-Match when firing).
     *
     * @return array{0: array<string, mixed>, 1: string}
     */
    public function get(string $id): array
    {
        $response = $this->send('GET', '/v1/complaints/' . rawurlencode($id));
        return [$response->body, $response->headers['etag']];
    }

    /**
     * Every complaint passing the filters (the names of engine.find: state, agency, unit,
     * category, breached, due_within, order, ...), page after page by the cursor. A filter with
     * a list value is repeated (state=a&state=b).
     *
     * @param array<string, scalar|list<scalar>> $filters
     * @return \Generator<int, array<string, mixed>>
     */
    public function queue(array $filters, int $pageSize = 50): \Generator
    {
        $query = $filters + ['limit' => $pageSize];
        do {
            $page = $this->send('GET', '/v1/complaints', $query)->body;
            yield from $page['items'];
            $query['cursor'] = $page['next_cursor'];
        } while ($page['next_cursor'] !== null);
    }

    /** @return list<string> the triggers the acting person may fire now */
    public function triggers(string $id): array
    {
        return $this->send('GET', '/v1/complaints/' . rawurlencode($id) . '/triggers')->body['triggers'];
    }

    /**
     * Fire a trigger if the complaint is still at $etag (PreconditionFailed when it moved on:
     * read it again and let the person decide anew).
     *
     * @param array<string, mixed> $data the command's data (category, response, ...)
     * @return array<string, mixed> the complaint after the transition
     */
    public function fire(string $id, string $trigger, array $data, string $etag, ?string $idempotencyKey = null): array
    {
        $headers = ["If-Match: $etag"];
        if ($idempotencyKey !== null) {
            $headers[] = "Idempotency-Key: $idempotencyKey";
        }
        $path = '/v1/complaints/' . rawurlencode($id) . '/' . rawurlencode($trigger);
        return $this->send('POST', $path, [], (object) $data, $headers)->body;
    }

    /**
     * One request; a retryable problem is tried again (commands carry their idempotency key or
     * If-Match, so a retry never does a thing twice). Problems are thrown, successes returned.
     *
     * @param array<string, scalar|list<scalar>|null> $query
     * @param list<string> $headers
     */
    public function send(string $method, string $path, array $query = [], mixed $body = null, array $headers = []): Response
    {
        for ($attempt = 0; ; $attempt++) {
            $response = $this->once($method, $path, $query, $body, $headers);
            if ($response->status < 400) {
                return $response;
            }
            $problem = Problem::fromResponse($response);
            if (!($problem->retryable || $problem instanceof Unavailable) || $attempt >= $this->retries) {
                throw $problem;
            }
            usleep(100_000 * 2 ** $attempt);
        }
    }

    /**
     * @param array<string, scalar|list<scalar>|null> $query
     * @param list<string> $headers
     */
    private function once(string $method, string $path, array $query, mixed $body, array $headers): Response
    {
        $url = rtrim($this->baseUrl, '/') . $path . self::query($query);
        $sent = ["Authorization: Bearer {$this->apiKey}", 'Accept: application/json', ...$this->actor->headers(), ...$headers];
        $curl = curl_init($url);
        $received = [];
        curl_setopt_array($curl, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => $this->timeout,
            CURLOPT_HEADERFUNCTION => static function ($handle, string $line) use (&$received): int {
                [$name, $value] = array_pad(explode(':', $line, 2), 2, null);
                if ($value !== null) {
                    $received[strtolower(trim($name))] = trim($value);
                }
                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($curl, CURLOPT_POSTFIELDS, json_encode($body, JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE));
            $sent[] = 'Content-Type: application/json';
        }
        curl_setopt($curl, CURLOPT_HTTPHEADER, $sent);
        $raw = curl_exec($curl);
        if ($raw === false) {
            $error = curl_error($curl);
            curl_close($curl);
            throw new TransportError("$method $url: $error");
        }
        $status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        curl_close($curl);
        $decoded = $raw === '' ? null : json_decode($raw, true);
        return new Response($status, $received, $decoded ?? $raw);
    }

    /** @param array<string, scalar|list<scalar>|null> $query */
    private static function query(array $query): string
    {
        $parts = [];
        foreach ($query as $name => $values) {
            foreach (is_array($values) ? $values : [$values] as $value) {
                if ($value !== null) {
                    $text = is_bool($value) ? ($value ? 'true' : 'false') : (string) $value;
                    $parts[] = rawurlencode((string) $name) . '=' . rawurlencode($text);
                }
            }
        }
        return $parts ? '?' . implode('&', $parts) : '';
    }
}

/**
 * Standard Webhooks 1.0: a delivery carries webhook-id, webhook-timestamp and
 * webhook-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>", several during a secret
 * rotation). Check the raw body as received, before decoding it.
 */
final class Webhook
{
    /** @param list<string> $secrets the endpoint's secrets, "whsec_..." */
    public function __construct(private readonly array $secrets, private readonly int $toleranceSeconds = 300)
    {
    }

    /**
     * The delivery's id (deduplicate on it: deliveries are at least once) when one signature
     * matches one of the secrets and the timestamp is within the tolerance of $now.
     *
     * @param array<string, string> $headers the request's headers (any case)
     */
    public function verify(array $headers, string $body, ?int $now = null): string
    {
        $headers = array_change_key_case($headers, CASE_LOWER);
        $id = $headers['webhook-id'] ?? '';
        $stamp = $headers['webhook-timestamp'] ?? '';
        $given = $headers['webhook-signature'] ?? '';
        if ($id === '' || $stamp === '' || $given === '') {
            throw new InvalidSignature('headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
        }
        if (!ctype_digit($stamp)) {
            throw new InvalidSignature('webhook-timestamp', "'$stamp' is not whole seconds");
        }
        $now ??= time();
        if (abs($now - (int) $stamp) > $this->toleranceSeconds) {
            throw new InvalidSignature('webhook-timestamp', "$stamp is more than {$this->toleranceSeconds} s from now ($now)");
        }
        $offered = array_filter(explode(' ', $given), static fn (string $s): bool => str_starts_with($s, 'v1,'));
        foreach ($this->secrets as $secret) {
            $key = base64_decode(preg_replace('/^whsec_/', '', $secret), true);
            if ($key === false) {
                throw new InvalidSignature('secret', 'is not whsec_ followed by base64');
            }
            $expected = 'v1,' . base64_encode(hash_hmac('sha256', "$id.$stamp.$body", $key, true));
            foreach ($offered as $signature) {
                if (hash_equals($expected, $signature)) {
                    return $id;
                }
            }
        }
        throw new InvalidSignature('webhook-signature', 'no signature matches a secret of this endpoint');
    }
}
