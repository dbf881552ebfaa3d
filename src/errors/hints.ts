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
  management_request_sending_failed: 'the central server refused the request: the member may have no registered sign certificate yet (xrdctl cert list); the server log has the details',
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

export function hintForApiCode(code: string | undefined): string | undefined {
  return code === undefined ? undefined : Object.hasOwn(XROAD_HINTS, code) ? XROAD_HINTS[code] : undefined;
}
