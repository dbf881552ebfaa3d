/**
 * The desired-state model produced by loadManifest. The types live in src/plan/desired.ts (the planner owns
 * them); this module is the manifest-side entry point so consumers import one place.
 */
export type {
  Pos, Connection, DesiredMember, DesiredCentral, DesiredEndpoint, DesiredService, DesiredServiceDescription,
  DesiredLocalGroup, DesiredClient, DesiredCert, DesiredServer, DesiredInstance,
  DesiredInstance as DesiredState,
} from '../plan/desired.js';

/** A secret as written in a manifest: a reference, never the value. Resolved later by src/config/secrets. */
export type ManifestSecretRef = { env: string } | { file: string };
