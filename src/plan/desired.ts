/**
 * The planner's input: the desired state of an instance, already validated and normalised
 * (src/manifest turns YAML into this). Every object may carry its source position so that a
 * failure can name file:line.
 */
import type { SecretRef } from '../config/secrets.js';

export interface Pos {
  file: string;
  line?: number;
  col?: number;
  path?: string;
}

export interface Connection {
  url: string;
  apiKey: SecretRef;
  tlsFingerprint?: string;
  caFile?: string;
}

export interface DesiredMember {
  id: string; // INST:CLASS:CODE
  name: string;
  pos?: Pos;
}

export interface DesiredCentral {
  name: string;
  conn: Connection;
  approveRequests: boolean;
  members: DesiredMember[];
  subsystems: { id: string; name?: string; pos?: Pos }[];
}

export interface DesiredEndpoint {
  method: string;
  path: string;
}

export interface DesiredService {
  code: string;
  timeout?: number;
  url?: string;
  sslAuth?: boolean;
  endpoints: DesiredEndpoint[];
  /** subjects: subsystem ids INST:CLASS:CODE:SUB, global groups INST:GROUP, local groups by code (local:CODE) */
  accessRights: string[];
  pos?: Pos;
}

export interface DesiredServiceDescription {
  type: 'WSDL' | 'OPENAPI3' | 'REST';
  url: string;
  restServiceCode?: string;
  disabled: boolean;
  services: DesiredService[];
  pos?: Pos;
}

export interface DesiredLocalGroup {
  code: string;
  description: string;
  members: string[];
  pos?: Pos;
}

export interface DesiredClient {
  id: string; // INST:CLASS:CODE:SUB or INST:CLASS:CODE
  name?: string;
  connectionType?: 'HTTP' | 'HTTPS' | 'HTTPS_NO_AUTH';
  register: boolean;
  serviceDescriptions: DesiredServiceDescription[];
  localGroups: DesiredLocalGroup[];
  /** delete what the manifest does not mention, per section */
  prune: { serviceDescriptions: boolean; accessRights: boolean; endpoints: boolean; localGroupMembers: boolean };
  pos?: Pos;
}

export interface DesiredCert {
  usage: 'auth' | 'sign';
  member?: string;
  ca: string;
  renewBeforeDays: number;
  /** how apply gets a certificate when none works: the server orders it over ACME, or an operator's command signs the CSR */
  issuer?: { type: 'server-acme' } | { type: 'command'; command: string[]; timeoutSeconds?: number } | { type: 'manual'; dir: string };
  pos?: Pos;
}

export interface DesiredServer {
  name: string;
  conn: Connection;
  id: string; // INST:CLASS:CODE:SERVERCODE
  address?: string;
  token: { id: string; pin?: SecretRef; login: boolean };
  certificates: DesiredCert[];
  clients: DesiredClient[];
  /** delete clients the manifest does not mention */
  pruneClients: boolean;
  pos?: Pos;
}

export interface DesiredInstance {
  instance: string;
  central?: DesiredCentral;
  servers: DesiredServer[];
  /** health-check thresholds (xrdctl health -f): keys of src/health/thresholds.ts */
  health?: Record<string, string | number>;
}
