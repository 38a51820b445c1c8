<?php
/**
 * A command-line host built on Sp4n.php: what a regional PHP app does, one command at a time.
 * Each command prints one JSON object; a problem answer is printed as one too (exit code 3), and
 * a webhook that fails verification likewise (exit code 4). See README.md.
 *
 *   php host.php submit --title T [--description D] [--agency A] --idempotency-key K
 *   php host.php queue [--state S ...] [--agency A] [--category C] [--page-size N]
 *   php host.php fire ID TRIGGER [--data JSON] [--if-match ETAG] [--idempotency-key K]
 *   php host.php verify-webhook --secret whsec_... [--secret ...] --header "name: value" ... [--now T] < body
 */

declare(strict_types=1);

require __DIR__ . '/Sp4n.php';

use Sp4n\Actor;
use Sp4n\Client;
use Sp4n\InvalidSignature;
use Sp4n\Problem;
use Sp4n\Webhook;

/** @return array{0: list<string>, 1: array<string, list<string>>} positional arguments and --options */
function parse_args(array $argv): array
{
    $positional = [];
    $options = [];
    for ($i = 0; $i < count($argv); $i++) {
        if (str_starts_with($argv[$i], '--')) {
            $options[substr($argv[$i], 2)][] = $argv[++$i] ?? '';
        } else {
            $positional[] = $argv[$i];
        }
    }
    return [$positional, $options];
}

function env(string $name, ?string $default = null): ?string
{
    $value = getenv($name);
    return $value === false || $value === '' ? $default : $value;
}

function client(): Client
{
    $actor = new Actor(env('SP4N_ACTOR_ID'), env('SP4N_ACTOR_ROLE'), env('SP4N_ACTOR_AGENCY'), env('SP4N_ACTOR_UNIT'));
    return new Client(env('SP4N_BASE_URL', 'http://127.0.0.1:8000'), env('SP4N_API_KEY'), $actor);
}

function out(array $data): void
{
    echo json_encode($data, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
}

/** @param array<string, list<string>> $options */
function run(string $command, array $args, array $options): void
{
    $one = static fn (string $name, ?string $default = null): ?string => $options[$name][0] ?? $default;
    switch ($command) {
        case 'submit':
            $complaint = array_filter(
                ['title' => $one('title'), 'description' => $one('description', ''), 'agency' => $one('agency')],
                static fn ($v) => $v !== null,
            );
            $view = client()->submit($complaint, $one('idempotency-key'));
            out(['id' => $view['id'], 'tracking_number' => $view['tracking_number'], 'state' => $view['state'], 'version' => $view['version']]);
            return;
        case 'queue':
            $filters = array_filter(
                ['state' => $options['state'] ?? null, 'agency' => $one('agency'), 'category' => $one('category')],
                static fn ($v) => $v !== null,
            );
            $items = [];
            foreach (client()->queue($filters, (int) $one('page-size', '50')) as $view) {
                $items[] = ['id' => $view['id'], 'state' => $view['state'], 'title' => $view['title']];
            }
            out(['count' => count($items), 'items' => $items]);
            return;
        case 'fire':
            [$id, $trigger] = $args;
            $client = client();
            $etag = $one('if-match') ?? $client->get($id)[1];
            $data = json_decode($one('data', '{}'), true, flags: JSON_THROW_ON_ERROR);
            $view = $client->fire($id, $trigger, $data, $etag, $one('idempotency-key'));
            out(['id' => $view['id'], 'state' => $view['state'], 'version' => $view['version'], 'if_match' => $etag]);
            return;
        case 'verify-webhook':
            $headers = [];
            foreach ($options['header'] ?? [] as $line) {
                [$name, $value] = explode(':', $line, 2);
                $headers[trim($name)] = trim($value);
            }
            $body = stream_get_contents(STDIN);
            $now = $one('now') === null ? null : (int) $one('now');
            $id = (new Webhook($options['secret'] ?? []))->verify($headers, $body, $now);
            $event = json_decode($body, true);
            out(['verified' => $id, 'type' => $event['type'] ?? null, 'subject' => $event['subject'] ?? null]);
            return;
        default:
            fwrite(STDERR, "unknown command '$command': submit, queue, fire or verify-webhook\n");
            exit(2);
    }
}

[$positional, $options] = parse_args(array_slice($argv, 1));
try {
    run($positional[0] ?? '', array_slice($positional, 1), $options);
} catch (Problem $problem) {
    out([
        'problem' => (new ReflectionClass($problem))->getShortName(),
        'status' => $problem->status,
        'error' => $problem->error,
        'detail' => $problem->getMessage(),
        'field' => $problem->field,
        'retryable' => $problem->retryable,
        'etag' => $problem->etag,
    ]);
    exit(3);
} catch (InvalidSignature $invalid) {
    out(['invalid_signature' => $invalid->field, 'detail' => $invalid->getMessage()]);
    exit(4);
}
