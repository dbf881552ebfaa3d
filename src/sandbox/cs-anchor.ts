import { pemToDer } from '../pki/encoding.js';
import type { Engine } from './engine.js';

/**
 * The configuration anchor of a source: its verification certificates as last (re-)created (cs-signing.ts). A
 * state from before signing keys were modelled has none: the anchor then names the CA's certificate and the
 * (unsigned) global configuration is accepted by every SS.
 */
export function anchorXml(e: Engine, source: 'INTERNAL' | 'EXTERNAL' = 'INTERNAL'): string {
  const st = e.st;
  const snap = st.cs.anchors?.[source];
  const certs = snap ? snap.certsB64 : [pemToDer(st.cas[0]!.certPem).toString('base64')];
  const path = source === 'INTERNAL' ? 'internalconf' : 'externalconf';
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<tns:configurationAnchor xmlns:tns="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers">
  <generatedAt>${snap?.generatedAt ?? st.createdAt}</generatedAt>
  <instanceIdentifier>${st.instance}</instanceIdentifier>
  <source>
    <downloadURL>http://127.0.0.1/${path}</downloadURL>
${certs.map((c) => `    <verificationCert>${c}</verificationCert>`).join('\n')}
  </source>
</tns:configurationAnchor>
`;
}
