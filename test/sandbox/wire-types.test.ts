/**
 * src/api/types/{ss,cs}.ts against the OpenAPI files: every property of an interface named like a spec schema exists
 * in that schema (allOf and discriminator subtypes flattened), and every property the spec requires is non-optional
 * unless it is a documented deviation.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { openApiDir } from '../support/openapi.js';

const SPEC_DIR = openApiDir() ?? '';

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  discriminator?: { mapping?: Record<string, string> };
};

function interfaces(file: string): Map<string, Map<string, boolean>> {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const raw = new Map<string, { props: Map<string, boolean>; ext: string[] }>();
  sf.forEachChild((n) => {
    if (!ts.isInterfaceDeclaration(n)) return;
    const props = new Map<string, boolean>();
    for (const m of n.members) if (ts.isPropertySignature(m) && m.name) props.set(m.name.getText(sf), !!m.questionToken);
    const ext = (n.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText(sf)));
    raw.set(n.name.text, { props, ext });
  });
  const out = new Map<string, Map<string, boolean>>();
  const flat = (name: string): Map<string, boolean> => {
    const r = raw.get(name);
    if (!r) return new Map();
    const m = new Map<string, boolean>();
    for (const e of r.ext) for (const [k, v] of flat(e)) m.set(k, v);
    for (const [k, v] of r.props) m.set(k, v);
    return m;
  };
  for (const name of raw.keys()) out.set(name, flat(name));
  return out;
}

async function schemas(file: string) {
  const doc = (await $RefParser.bundle(resolve(SPEC_DIR, file))) as unknown as { components: { schemas: Record<string, Schema> } };
  const S = doc.components.schemas;
  const byRef = (ref: string) => S[ref.split('/').pop()!];
  const flatten = (s: Schema | undefined, seen = new Set<Schema>()): { props: Set<string>; required: Set<string> } => {
    const props = new Set<string>();
    const required = new Set<string>();
    if (!s || seen.has(s)) return { props, required };
    seen.add(s);
    if (s.$ref) return flatten(byRef(s.$ref), seen);
    for (const part of s.allOf ?? []) {
      const f = flatten(part, seen);
      f.props.forEach((p) => props.add(p));
      f.required.forEach((p) => required.add(p));
    }
    for (const p of Object.keys(s.properties ?? {})) props.add(p);
    for (const p of s.required ?? []) required.add(p);
    return { props, required };
  };
  return (name: string) => {
    const s = S[name];
    if (!s) return undefined;
    const base = flatten(s);
    // discriminator subtypes (ManagementRequest): their properties belong to the wire shape too (optional)
    for (const sub of Object.values(s.discriminator?.mapping ?? {})) for (const p of flatten(S[sub.split('/').pop()!]).props) base.props.add(p);
    return base;
  };
}

const DEVIATIONS = new Set([
  'ss TokenCertificate.ocsp_status', // absent on real servers for active non-REGISTERED certs (xroad-flows §0.1)
  'cs PagedClients.items', // the spec requires `items` but names the property `clients`
]);

describe('wire types match the OpenAPI schemas', () => {
  for (const [kind, tsFile, spec] of [
    ['ss', 'src/api/types/ss.ts', 'security-server-admin-api.yaml'],
    ['cs', 'src/api/types/cs.ts', 'central-server-admin-api.yaml'],
  ] as const) {
    it(`${tsFile} ↔ ${spec}`, async () => {
      const get = await schemas(spec);
      const problems: string[] = [];
      let compared = 0;
      for (const [name, props] of interfaces(resolve(import.meta.dirname, '../..', tsFile))) {
        const s = get(name);
        if (!s) continue;
        compared++;
        for (const [p, optional] of props) {
          if (!s.props.has(p) && !DEVIATIONS.has(`${kind} ${name}.${p}`)) problems.push(`${kind} ${name}.${p} is not in the spec schema`);
          else if (optional && s.required.has(p) && !DEVIATIONS.has(`${kind} ${name}.${p}`)) problems.push(`${kind} ${name}.${p} is required in the spec`);
        }
        for (const r of s.required) if (!props.has(r) && !DEVIATIONS.has(`${kind} ${name}.${r}`)) problems.push(`${kind} ${name}.${r} (required) is missing`);
      }
      expect(compared).toBeGreaterThan(kind === 'ss' ? 50 : 15);
      expect(problems).toEqual([]);
    });
  }
});
