// Generates a large manifest (N security servers × M clients × K services) for benchmarks and load
// rehearsals against the sandbox: npx tsx examples/generate-large.ts 50 20 10 > large.yaml
// URLs, pins and keys come from the environment as in examples/small (eval "$(xrdctl sandbox env)").
export function largeManifest(servers: number, clients: number, services: number): string {
  const out: string[] = [
    'apiVersion: xrdctl/v1',
    'instance: DEV',
    'centralServer:',
    '  url: ${XRD_CS_URL}',
    '  tlsFingerprint: ${XRD_CS_TLS_FINGERPRINT}',
    '  apiKey: { env: XRD_CS_API_KEY }',
    '  approveRequests: true',
    'securityServers:',
  ];
  for (let s = 1; s <= servers; s++) {
    const code = 1000 + s;
    out.push(
      `  - name: ss${s}`,
      `    url: \${XRD_SS${s}_URL}`,
      `    tlsFingerprint: \${XRD_SS${s}_TLS_FINGERPRINT}`,
      `    apiKey: { env: XRD_SS${s}_API_KEY }`,
      `    id: "DEV:GOV:${code}:SS${s}"`,
      `    token: { id: "0", pin: { env: XRD_SS${s}_PIN } }`,
      '    certificates:',
      `      sign: [{ member: "DEV:GOV:${code}", ca: Sandbox CA, issuer: { serverAcme: {} } }]`,
      '      auth: { ca: Sandbox CA, issuer: { serverAcme: {} } }',
      '    clients:',
    );
    for (let c = 1; c <= clients; c++) {
      out.push(`      - id: "DEV:GOV:${code}:SUB${c}"`, '        serviceDescriptions:');
      for (let k = 1; k <= services; k++) {
        const peer = ((s % servers) + 1);
        out.push(
          `          - { type: REST, url: "https://is${c}.ss${s}.example.org/api${k}", restServiceCode: svc${k}, services: [{ code: svc${k}, timeout: ${30 + (k % 30)}, accessRights: ["DEV:GOV:${1000 + peer}:SUB${c}"] }] }`,
        );
      }
    }
  }
  return out.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n = '50', m = '20', k = '10'] = process.argv.slice(2);
  process.stdout.write(largeManifest(Number(n), Number(m), Number(k)));
}
