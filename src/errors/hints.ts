/**
 * X-Road error codes (ErrorInfo.error.code) in words an operator acts on: the one table, used by
 * the HTTP layer for every answer. A code not listed falls back to the status's hint or the
 * correlation id.
 */
export const XROAD_HINTS: Readonly<Record<string, string>> = {
  pin_incorrect: 'wrong PIN: check the PIN reference (--pin or the context tokenPin); the token may lock after several wrong tries',
  invalid_characters_pin: 'the PIN has characters the server does not accept',
  token_not_active: 'the token is not active: is the HSM or software token available?',
  token_not_found: 'no such token on this server: xrdctl token list shows the ids',
  action_not_possible: 'the object is not in a state that allows this (is the token logged in?)',
  global_conf_outdated: 'the server has no valid global configuration; check xrdctl health',
  warnings_detected: 'the server raised warnings; review them and pass --ignore-warnings to go ahead',
  management_request_sending_failed:
    'the server could not send the management request to the central server: check its auth and sign certificates and the central server (xrdctl health)',
  member_certs_not_found: "the token holding the member's sign certificate is logged out: xrdctl token login",
  certificate_already_exists: 'the certificate is already on the server',
  certificate_not_found: 'no such certificate on the server: xrdctl cert list shows the hashes',
  key_not_found: 'no such key on the server: xrdctl key list shows the ids',
  client_not_found: 'no such client on the server: xrdctl client list shows them',
  client_already_exists: 'the client is already on the server',
  cert_wrong_usage: 'the certificate has the other usage (auth vs sign) than the key it was imported for',
  keys_not_match: 'the certificate does not belong to any key on the server',
  invalid_cert_uploaded: 'the server could not read the certificate: is it PEM or DER, and a certificate (not a CSR)?',
  certificate_authority_not_found: 'the issuing CA is not an approved certification service in the global configuration',
  management_request_exists: 'a request for the same thing is already waiting at the central server (xrdctl cs request list)',
  init_already_initialized: 'the server is already initialised',
  init_software_token_pin_weak: 'the PIN is too weak for the server (longer, with letters, digits and symbols)',
  too_many_requests: 'the server rate-limited us (20 req/s, 600/min); wait and retry',
};

/** The hint for an X-Road error code; the error's metadata sharpens it where the code is generic. */
export function hintForApiCode(code: string | undefined, metadata: readonly string[] = []): string | undefined {
  if (code === 'management_request_sending_failed') {
    const specific = sendingFailedHint(metadata.join(' '));
    if (specific) return specific;
  }
  return code === undefined ? undefined : Object.hasOwn(XROAD_HINTS, code) ? XROAD_HINTS[code] : undefined;
}

/**
 * management_request_sending_failed carries the core's reason in its metadata: name what is missing and how to
 * provide it (xroad-flows §5: a management request is signed with the member's sign certificate and sent over the
 * server's registered auth certificate).
 */
function sendingFailedHint(reason: string): string | undefined {
  const member = /Member '([^']+)' has no suitable certificates/.exec(reason)?.[1];
  if (member && /not logged in/i.test(reason)) return `member ${member}'s sign certificate is on a logged-out token: xrdctl token login, then retry`;
  if (member)
    return `member ${member} has no usable sign certificate on this server (active, within its dates, OCSP good): create and import one first (xrdctl csr create --usage sign --member ${member} …, then xrdctl cert import), then retry`;
  if (/authentication certificate/i.test(reason))
    return 'this server has no registered, active auth certificate to send the request with: register and activate one first (xrdctl cert register HASH --approve --activate)';
  return undefined;
}
