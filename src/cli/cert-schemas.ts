import { S, item, type JsonSchema } from './schema.js';

const usage = S.enum(['auth', 'sign', 'none']);
export const certRowProps: Record<string, JsonSchema> = {
  server: S.str(),
  tokenId: S.str(),
  keyId: S.str(),
  keyLabel: S.str(),
  usage,
  hash: S.str('SHA-256 of the certificate DER, upper-case hex'),
  status: S.str(),
  active: S.bool(),
  ocspStatus: S.nullable(S.str()),
  ownerId: S.nullable(S.str()),
  subject: S.str(),
  issuer: S.str(),
  notBefore: S.str(),
  notAfter: S.str(),
  daysLeft: S.int(),
  possibleActions: S.arr(S.str()),
};
export const certRowItem = item(certRowProps);
export const keyRowItem = item({
  server: S.str(),
  tokenId: S.str(),
  keyId: S.str(),
  label: S.str(),
  name: S.str(),
  usage,
  certificates: S.int(),
  csrs: S.int(),
  possibleActions: S.arr(S.str()),
});
export const csrRowItem = item({ server: S.str(), tokenId: S.str(), keyId: S.str(), keyLabel: S.str(), usage, csrId: S.str(), ownerId: S.nullable(S.str()) });
export const certActionProps: Record<string, JsonSchema> = {
  server: S.str(),
  hash: S.str(),
  action: S.str(),
  changed: S.bool(),
  status: S.nullable(S.str()),
  active: S.nullable(S.bool()),
  forced: S.bool(),
};
export const requestRowProps: Record<string, JsonSchema> = {
  id: S.int(),
  type: S.str(),
  origin: S.str(),
  status: S.nullable(S.str()),
  serverId: S.str(),
  clientId: S.nullable(S.str()),
  address: S.nullable(S.str()),
  createdAt: S.nullable(S.str()),
};
