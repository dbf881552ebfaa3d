/**
 * Certificate profiles (X-Road's CertificateProfileInfoProvider classes): which CSR subject fields a CA asks for,
 * which are read-only, and how a signing certificate's subject names its member. Pluggable per CA: a CA's state
 * names its profile; add one with registerProfile().
 */
import type { CsrSubjectFieldDescription, KeyUsageType } from '../api/types/ss.js';
import type { SubjectAttr } from './certs.js';

export interface ProfileContext {
  instance: string;
  serverCode: string;
  ownerCode: string;
  ownerName: string;
  /** the server owner's class (SecurityServerId's member class) */
  ownerClass?: string;
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
  fields: (usage, c) =>
    usage === 'AUTHENTICATION'
      ? [f('C', 'INSTANCE_IDENTIFIER', c.instance, true), f('CN', 'SERVER_CODE', c.serverCode, true)]
      : [f('C', 'INSTANCE_IDENTIFIER', c.instance, true), f('O', 'MEMBER_CLASS', c.memberClass, true), f('CN', 'MEMBER_CODE', c.memberCode, true)],
  signMemberId: (_i, s) => {
    const c = get(s, 'C'),
      o = get(s, 'O'),
      cn = get(s, 'CN');
    return c && o && cn ? `${c}:${o}:${cn}` : undefined;
  },
};

/** BasicCertificateProfileInfoProvider (UG-CS §10 "basic profile") */
export const BASIC: CertificateProfile = {
  name: 'BASIC',
  className: 'ee.ria.xroad.common.certificateprofile.impl.BasicCertificateProfileInfoProvider',
  fields: (usage, c) =>
    usage === 'AUTHENTICATION'
      ? [
          f('C', 'COUNTRY_CODE', undefined, false),
          f('O', 'ORGANIZATION_NAME', c.ownerName, true),
          f('serialNumber', 'MEMBER_CODE', c.ownerCode, true),
          f('CN', 'SERVER_DNS_NAME', c.address || undefined, false),
        ]
      : [
          f('C', 'COUNTRY_CODE', undefined, false),
          f('O', 'ORGANIZATION_NAME', c.memberName, true),
          f('businessCategory', 'MEMBER_CLASS', c.memberClass, true),
          f('serialNumber', 'MEMBER_CODE', c.memberCode, true),
          f('CN', 'MEMBER_NAME', c.memberName, true),
        ],
  signMemberId: (instance, s) => {
    const cls = get(s, 'businessCategory'),
      code = get(s, 'serialNumber');
    return cls && code ? `${instance}:${cls}:${code}` : undefined;
  },
  san: (usage, s) => (usage === 'AUTHENTICATION' && get(s, 'CN') ? [get(s, 'CN')!] : []),
};

const IMPL = 'ee.ria.xroad.common.certificateprofile.impl.';
const shortServerId = (c: ProfileContext) => `${c.instance}/${c.ownerClass ?? c.memberClass}/${c.ownerCode}/${c.serverCode}`;
const byCnOuO = (s: SubjectAttr[]) => {
  const o = get(s, 'O'),
    ou = get(s, 'OU'),
    cn = get(s, 'CN');
  return o && ou && cn ? `${o}:${ou}:${cn}` : undefined;
};

/**
 * The other profiles X-Road 7.8 ships (globalconf-core …certificateprofile.impl), each with its subject fields.
 * `subjectAltName` is not a DN component: the CSR carries it as the SAN extension.
 */
export const BASIC_ACME: CertificateProfile = {
  name: 'BASIC_ACME',
  className: IMPL + 'BasicACMECertificateProfileInfoProvider',
  fields: (usage, c) =>
    usage === 'AUTHENTICATION'
      ? [
          f('C', 'COUNTRY_CODE', '', false),
          f('O', 'ORGANIZATION_NAME', c.ownerName, true),
          f('serialNumber', 'MEMBER_CODE_SN', c.ownerCode, true),
          f('CN', 'SERVER_DNS_NAME', '', false),
          f('subjectAltName', 'SUBJECT_ALTERNATIVE_NAME', '', false),
        ]
      : [
          f('C', 'COUNTRY_CODE', '', false),
          f('O', 'ORGANIZATION_NAME', c.memberName, true),
          f('businessCategory', 'MEMBER_CLASS_BC', c.memberClass, true),
          f('serialNumber', 'MEMBER_CODE_SN', c.memberCode, true),
          f('CN', 'ORGANIZATION_NAME_CN', c.memberName, true),
          f('subjectAltName', 'SUBJECT_ALTERNATIVE_NAME', '', false),
        ],
  signMemberId: BASIC.signMemberId,
};
/** FiVRKCertificateProfileInfoProvider (the Finnish profile, NIIS's own test CA): C=FI, serialNumber INST/SERVERCODE/CLASS */
export const FIVRK: CertificateProfile = {
  name: 'FIVRK',
  className: IMPL + 'FiVRKCertificateProfileInfoProvider',
  fields: (usage, c) =>
    usage === 'AUTHENTICATION'
      ? [
          f('C', 'COUNTRY_CODE', 'FI', true),
          f('O', 'ORGANIZATION_NAME', '', false),
          f('serialNumber', 'SERIAL_NUMBER', `${c.instance}/${c.serverCode}/${c.memberClass}`, true),
          f('CN', 'SERVER_DNS_NAME', '', false),
          f('subjectAltName', 'SUBJECT_ALTERNATIVE_NAME', '', false),
        ]
      : [
          f('C', 'COUNTRY_CODE', 'FI', true),
          f('O', 'ORGANIZATION_NAME', '', false),
          f('serialNumber', 'SERIAL_NUMBER', `${c.instance}/${c.serverCode}/${c.memberClass}`, true),
          f('CN', 'MEMBER_CODE', c.memberCode, true),
          f('subjectAltName', 'SUBJECT_ALTERNATIVE_NAME', '', false),
        ],
  // FISubjectClientIdDecoder: serialNumber INSTANCE/SERVERCODE/CLASS, CN the member code
  signMemberId: (_i, s) => {
    const sn = get(s, 'serialNumber')?.split('/'),
      cn = get(s, 'CN');
    return sn?.length === 3 && cn ? `${sn[0]}:${sn[2]}:${cn}` : undefined;
  },
};
/** FoCertificateProfileInfoProvider (Faroe Islands): everything read-only but the sign serialNumber */
export const FO: CertificateProfile = {
  name: 'FO',
  className: IMPL + 'FoCertificateProfileInfoProvider',
  fields: (usage, c) =>
    usage === 'AUTHENTICATION'
      ? [f('C', 'COUNTRY_CODE', 'FO', true), f('O', 'INSTANCE_IDENTIFIER_O', c.instance, true), f('CN', 'COMMON_NAME', shortServerId(c), true)]
      : [
          f('C', 'COUNTRY_CODE', 'FO', true),
          f('O', 'INSTANCE_IDENTIFIER_O', c.instance, true),
          f('OU', 'MEMBER_CLASS_OU', c.memberClass, true),
          f('CN', 'MEMBER_CODE', c.memberCode, true),
          f('serialNumber', 'SERIAL_NUMBER', shortServerId(c), false),
        ],
  signMemberId: (_i, s) => byCnOuO(s),
};
/** IsCertificateProfileInfoProvider (Iceland) */
export const IS: CertificateProfile = {
  name: 'IS',
  className: IMPL + 'IsCertificateProfileInfoProvider',
  fields: (usage, c) =>
    usage === 'AUTHENTICATION'
      ? [f('C', 'COUNTRY_CODE', 'IS', true), f('CN', 'SERVER_DNS_NAME', '', false), f('serialNumber', 'SERIAL_NUMBER', shortServerId(c), true)]
      : [
          f('C', 'COUNTRY_CODE', 'IS', true),
          f('O', 'INSTANCE_IDENTIFIER_O', c.instance, true),
          f('OU', 'MEMBER_CLASS_OU', c.memberClass, true),
          f('CN', 'MEMBER_CODE', c.memberCode, true),
          f('serialNumber', 'SERIAL_NUMBER', shortServerId(c), true),
        ],
  signMemberId: (_i, s) => byCnOuO(s),
};
/** SkKlass3CertificateProfileInfoProvider (Estonia, SK ID Solutions class 3): SN = member code, CN = member name */
export const SK_KLASS3: CertificateProfile = {
  name: 'SK_KLASS3',
  className: IMPL + 'SkKlass3CertificateProfileInfoProvider',
  fields: (usage, c) =>
    usage === 'AUTHENTICATION'
      ? [f('SN', 'SERIAL_NUMBER_SN', c.ownerCode, true), f('CN', 'COMMON_NAME', c.ownerName, true)]
      : [f('SN', 'SERIAL_NUMBER_SN', c.memberCode, true), f('CN', 'COMMON_NAME', c.memberName, true)],
  // by serialNumber: 8 digits, the class from the first digit (1–6 COM, 7 GOV, 8–9 NGO)
  signMemberId: (instance, s) => {
    const sn = get(s, 'serialNumber') ?? get(s, 'SN');
    if (!sn || !/^\d{8}$/.test(sn)) return undefined;
    const cls = '123456'.includes(sn[0]!) ? 'COM' : sn[0] === '7' ? 'GOV' : 'NGO';
    return `${instance}:${cls}:${sn}`;
  },
};
/** SkEsteIdCertificateProfileInfoProvider (Estonian ID card): no subject fields; the signer is PERSON:<serialNumber> */
export const SK_ESTEID: CertificateProfile = {
  name: 'SK_ESTEID',
  className: IMPL + 'SkEsteIdCertificateProfileInfoProvider',
  fields: () => [],
  signMemberId: (instance, s) => {
    const sn = get(s, 'serialNumber');
    return sn ? `${instance}:PERSON:${sn}` : undefined;
  },
};

const registry = new Map<string, CertificateProfile>([EJBCA, BASIC, BASIC_ACME, FIVRK, FO, IS, SK_KLASS3, SK_ESTEID].map((p) => [p.name, p]));

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
