/**
 * Certificate profiles (X-Road's CertificateProfileInfoProvider classes): which CSR subject fields a CA asks for,
 * which are read-only, and how a signing certificate's subject names its member. Pluggable per CA: a CA's state
 * names its profile; add one with registerProfile().
 */
import type { CsrSubjectFieldDescription, KeyUsageType } from '../api/types/ss.js';
import type { SubjectAttr } from './ca.js';

export interface ProfileContext {
  instance: string;
  serverCode: string;
  ownerCode: string;
  ownerName: string;
  memberClass: string;
  memberCode: string;
  memberName: string;
  address: string;
}

export interface CertificateProfile {
  /** the key in CaState.profile */
  name: string;
  /** X-Road's Java class, shown as certificate_profile_info */
  className: string;
  fields(usage: KeyUsageType, c: ProfileContext): CsrSubjectFieldDescription[];
  /** the member a signing certificate belongs to, read from its subject */
  signMemberId(instance: string, subject: SubjectAttr[]): string | undefined;
  /** DNS names for the SAN extension of a CSR (if the profile puts one there) */
  san?(usage: KeyUsageType, subject: SubjectAttr[]): string[];
}

const f = (id: string, labelKey: string, def: string | undefined, ro: boolean): CsrSubjectFieldDescription => {
  const d: CsrSubjectFieldDescription = { id, label_key: labelKey, read_only: ro, required: true, localized: true };
  if (def !== undefined) d.default_value = def;
  return d;
};
const get = (subject: SubjectAttr[], n: string) => subject.find((a) => a.name === n)?.value;

/** EjbcaCertificateProfileInfoProvider: everything read-only, `subject_field_values: {}` works */
export const EJBCA: CertificateProfile = {
  name: 'EJBCA',
  className: 'ee.ria.xroad.common.certificateprofile.impl.EjbcaCertificateProfileInfoProvider',
  fields: (usage, c) => usage === 'AUTHENTICATION'
    ? [f('C', 'INSTANCE_IDENTIFIER', c.instance, true), f('CN', 'SERVER_CODE', c.serverCode, true)]
    : [f('C', 'INSTANCE_IDENTIFIER', c.instance, true), f('O', 'MEMBER_CLASS', c.memberClass, true), f('CN', 'MEMBER_CODE', c.memberCode, true)],
  signMemberId: (_i, s) => {
    const c = get(s, 'C'), o = get(s, 'O'), cn = get(s, 'CN');
    return c && o && cn ? `${c}:${o}:${cn}` : undefined;
  },
};

/** BasicCertificateProfileInfoProvider (UG-CS §10 "basic profile") */
export const BASIC: CertificateProfile = {
  name: 'BASIC',
  className: 'ee.ria.xroad.common.certificateprofile.impl.BasicCertificateProfileInfoProvider',
  fields: (usage, c) => usage === 'AUTHENTICATION'
    ? [f('C', 'COUNTRY_CODE', undefined, false), f('O', 'ORGANIZATION_NAME', c.ownerName, true), f('serialNumber', 'MEMBER_CODE', c.ownerCode, true), f('CN', 'SERVER_DNS_NAME', c.address || undefined, false)]
    : [f('C', 'COUNTRY_CODE', undefined, false), f('O', 'ORGANIZATION_NAME', c.memberName, true), f('businessCategory', 'MEMBER_CLASS', c.memberClass, true), f('serialNumber', 'MEMBER_CODE', c.memberCode, true), f('CN', 'MEMBER_NAME', c.memberName, true)],
  signMemberId: (instance, s) => {
    const cls = get(s, 'businessCategory'), code = get(s, 'serialNumber');
    return cls && code ? `${instance}:${cls}:${code}` : undefined;
  },
  san: (usage, s) => (usage === 'AUTHENTICATION' && get(s, 'CN') ? [get(s, 'CN')!] : []),
};

const registry = new Map<string, CertificateProfile>([[EJBCA.name, EJBCA], [BASIC.name, BASIC]]);

export function registerProfile(p: CertificateProfile): void {
  registry.set(p.name, p);
}
/** the profile whose X-Road class name is `className` (certificate_profile_info), if registered */
export function profileByClass(className: string): CertificateProfile | undefined {
  for (const p of registry.values()) if (p.className === className) return p;
  return undefined;
}
export function profileOf(name: string): CertificateProfile {
  const p = registry.get(name);
  if (!p) throw new Error(`unknown certificate profile ${name}`);
  return p;
}
