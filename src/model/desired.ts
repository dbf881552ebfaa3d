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
  /** the configuration signing keys the manifest declares, per source */
  configurationSigning?: Partial<Record<'INTERNAL' | 'EXTERNAL', DesiredSigningKey>>;
}

export interface DesiredSigningKey {
  token: string;
  renewAfterDays: number;
  pos?: Pos;
}

export interface DesiredEndpoint {
  method: '*' | 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS' | 'TRACE';
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
  /** after a rotation, delete the replaced key this long after it is out of use; null keeps it */
  keepReplacedMs?: number | null;
  /** how apply gets a certificate when none works: the server orders it over ACME, or an operator's command signs the CSR */
  issuer?: { type: 'server-acme' } | { type: 'command'; command: string; timeoutSeconds?: number } | { type: 'manual'; dir: string };
  pos?: Pos;
}

/** A security server brought from fresh to initialised: anchor, owner and server code (from its id), token PIN. */
export interface DesiredInit {
  /** the configuration anchor: a file, or downloaded from the central server's internal source */
  anchor: { file: string } | { central: true };
  pos?: Pos;
}

/** A timestamping service the server should use, by the name or URL global configuration lists it under. */
export interface DesiredTimestamping {
  name?: string;
  url?: string;
  pos?: Pos;
}

export interface DesiredServer {
  name: string;
  conn: Connection;
  id: string; // INST:CLASS:CODE:SERVERCODE
  address?: string;
  token: { id: string; pin?: SecretRef; login: boolean };
  /** initialise the server when it is not (absent: it must be initialised already) */
  initialize?: DesiredInit;
  /** timestamping services to configure (absent: left as they are) */
  timestampingServices?: DesiredTimestamping[];
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
