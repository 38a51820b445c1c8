<?php
/**
 * A webhook endpoint for sp4n's deliveries, for PHP's built-in server or any PHP web server:
 *
 *   SP4N_WEBHOOK_SECRETS="whsec_..." SP4N_WEBHOOK_INBOX=/var/lib/app/inbox.jsonl php -S 127.0.0.1:9000 webhook.php
 *
 * It checks the Standard Webhooks signature on the raw body (400 when it does not hold), drops a
 * delivery it already took (deliveries are at least once), and hands the event to the app: here
 * it appends the event's id, type and complaint to the inbox file, one JSON object a line.
 * SP4N_WEBHOOK_SECRETS holds the endpoint's secrets, space-separated (two during a rotation).
 */

declare(strict_types=1);

require __DIR__ . '/Sp4n.php';

$secrets = array_values(array_filter(explode(' ', (string) getenv('SP4N_WEBHOOK_SECRETS'))));
$inbox = (string) getenv('SP4N_WEBHOOK_INBOX');
$body = (string) file_get_contents('php://input');
try {
    $id = (new Sp4n\Webhook($secrets))->verify(getallheaders(), $body);
} catch (Sp4n\InvalidSignature $bad) {
    http_response_code(400);
    header('Content-Type: application/json');
    echo json_encode(['invalid_signature' => $bad->field]);
    return;
}
$inboxFile = fopen($inbox, 'c+');
flock($inboxFile, LOCK_EX);
$taken = array_map(static fn (string $line) => json_decode($line, true)['id'], file($inbox, FILE_IGNORE_NEW_LINES));
if (!in_array($id, $taken, true)) {
    $event = json_decode($body, true);
    fseek($inboxFile, 0, SEEK_END);
    fwrite($inboxFile, json_encode(['id' => $id, 'type' => $event['type'], 'subject' => $event['subject'], 'data' => $event['data']]) . "\n");
}
flock($inboxFile, LOCK_UN);
fclose($inboxFile);
http_response_code(204);
