/** X-Road identifiers: INST:CLASS:CODE[:SUB] for clients, INST:CLASS:CODE:SERVER for servers. */
export interface ClientIdParts {
  instance: string;
  memberClass: string;
  memberCode: string;
  subsystemCode?: string;
}

export function parseClientId(id: string): ClientIdParts {
  const p = id.split(':');
  return { instance: p[0]!, memberClass: p[1]!, memberCode: p[2]!, subsystemCode: p[3] };
}

export function memberOf(id: string): string {
  return id.split(':').slice(0, 3).join(':');
}

/** the API's client id form: as given, upper/lower case kept */
export function clientApiId(
  c: { instance_id?: string; member_class: string; member_code: string; subsystem_code?: string; id?: string },
  instance: string,
): string {
  return c.id ?? [c.instance_id ?? instance, c.member_class, c.member_code, ...(c.subsystem_code ? [c.subsystem_code] : [])].join(':');
}

/** A client id object of the central server's API as INST:CLASS:CODE[:SUB]: its encoded_id, else built from its parts. */
export function encodedClientId(c: {
  encoded_id?: string;
  instance_id?: string;
  member_class?: string;
  member_code?: string;
  subsystem_code?: string;
}): string {
  return c.encoded_id ?? [c.instance_id, c.member_class, c.member_code, c.subsystem_code].filter(Boolean).join(':');
}
