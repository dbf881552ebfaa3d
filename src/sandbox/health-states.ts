/**
 * States the health checks need that the rest of the sandbox did not show (added for issue 11,
 * kept apart so the simulator's own files change by small hunks only):
 *  - a failing OCSP responder of a sandbox CA: GET /diagnostics/ocsp-responders answers FAIL for it,
 *    with prev_update_at frozen at the last good answer (certificates keep their cached status, as a
 *    real SS keeps its cached OCSP answers until ocspFreshnessSeconds);
 *  - the CS's configuration parts (GET /configuration-sources/{type}/configuration-parts), whose
 *    file_updated_at is the time of the last globalconf generation.
 */
import type { Engine } from './engine.js';
import { bad, type Resp, type Route } from './http.js';

const failing = new WeakMap<Engine, Map<string, string>>();

/** Make a sandbox CA's OCSP responder fail (or work again); `since` is the last good answer. */
export function setOcspFailing(e: Engine, ca: string, on: boolean): void {
  if (!e.caByName(ca)) throw new Error(`unknown CA ${ca}`);
  const m = failing.get(e) ?? new Map<string, string>();
  failing.set(e, m);
  if (on && !m.has(ca)) m.set(ca, e.clock.now().toISOString());
  if (!on) m.delete(ca);
}

/** When the responder of this CA started failing, if it does. */
export function ocspFailingSince(e: Engine, ca: string): string | undefined {
  return failing.get(e)?.get(ca);
}

export function csHealthRoutes(e: Engine, roles: string[]): Route[] {
  return [
    {
      method: 'GET',
      path: '/configuration-sources/{configuration_type}/configuration-parts',
      op: 'getConfigurationParts',
      roles,
      h: (c): Resp => {
        if (c.params.configuration_type !== 'INTERNAL') throw bad('invalid_configuration_type', c.params.configuration_type!);
        const at = e.st.cs.published?.generatedAt ?? e.st.createdAt;
        return {
          status: 200,
          body: [
            { content_identifier: 'PRIVATE-PARAMETERS', file_name: 'private-params.xml', optional: false, file_updated_at: at, version: 2 },
            { content_identifier: 'SHARED-PARAMETERS', file_name: 'shared-params.xml', optional: false, file_updated_at: at, version: 3 },
          ],
        };
      },
    },
  ];
}
