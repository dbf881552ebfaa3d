/** The Central Server's roles (xroad-flows §8.3). */
export const CS_ROLES = {
  SO: 'XROAD_SECURITY_OFFICER',
  RO: 'XROAD_REGISTRATION_OFFICER',
  SYS: 'XROAD_SYSTEM_ADMINISTRATOR',
  MS: 'XROAD_MANAGEMENT_SERVICE',
} as const;
