import { S, item, type JsonSchema } from './schema.js';

export const contextViewProps: Record<string, JsonSchema> = {
  name: S.str(),
  kind: S.enum(['central', 'security']),
  url: S.str(),
  apiKey: S.str('secret reference (env:NAME, file:PATH or prompt), never the key'),
  tlsFingerprint: S.nullable(S.str()),
  caFile: S.nullable(S.str()),
  centralContext: S.nullable(S.str()),
  tokenPin: S.nullable(S.str('secret reference')),
  current: S.bool(),
};
export const contextViewItem = item(contextViewProps);
