/**
 * Central Server routes of its own setup: initialisation (really uninitialised under `--preset blank`), the
 * software token (login/logout), timestamping services and the management-services configuration.
 */
import { bad, conflict, notFound, ApiError, type Resp, type Route } from './http.js';
import { derToPem, pemToDer } from '../pki/encoding.js';
import { certInputToDer, certificateDetails } from './certs.js';
import { pinHash, type Engine } from './engine.js';
import { clientIdOf, parseClientId, serverIdOf } from './model.js';
import { parseMultipart } from './multipart.js';
import { identifierPart, springInt, str } from './validate.js';
import { CS_ROLES } from './cs-roles.js';
import { signingKeyView } from './cs-signing.js';

const { SO, RO, SYS } = CS_ROLES;
const VIEW = [SO, RO, SYS];
const ok = (body?: unknown, status = 200): Resp => ({ status, body });

/** the CS is initialised unless a blank sandbox has not been through POST /initialization yet */
export function csInitialized(e: Engine): boolean {
  return e.st.cs.initialized !== false;
}

export function csSetupRoutes(e: Engine): Route[] {
  const st = e.st;
  const cs = st.cs;
  const requireInit = () => {
    if (!csInitialized(e)) throw conflict('init_not_initialized', 'the Central Server is not initialised');
  };
  const tokenView = () => ({
    id: '0',
    name: 'softToken-0',
    serial_number: 'sandbox-cs',
    status: csInitialized(e) ? 'OK' : 'NOT_INITIALIZED',
    logged_in: cs.tokenLoggedIn,
    available: csInitialized(e),
    active: csInitialized(e),
    possible_actions: !csInitialized(e)
      ? []
      : cs.tokenLoggedIn
        ? ['LOGOUT', 'GENERATE_INTERNAL_KEY', 'GENERATE_EXTERNAL_KEY', 'EDIT_FRIENDLY_NAME']
        : ['LOGIN', 'EDIT_FRIENDLY_NAME'],
    configuration_signing_keys: (cs.signingKeys ?? []).map(signingKeyView),
    keys: [],
  });
  const token = (id: string) => {
    if (id !== '0') throw notFound('token_not_found', id);
  };
  const tsaView = (t: NonNullable<typeof cs.tsas>[number]) => ({
    id: t.id,
    url: t.url,
    cost_type: t.costType,
    timestamping_interval: 60,
    certificate: certificateDetails(pemToDer(t.certPem)),
  });
  const tsa = (raw: string) => {
    const id = springInt(raw);
    const t = (cs.tsas ?? []).find((x) => x.id === id);
    if (!t) throw notFound('timestamping_service_not_found', raw);
    return t;
  };
  const mgmtView = () => {
    const m = cs.managementServices ?? {};
    const provider = m.serviceProviderId ? parseClientId(m.serviceProviderId) : undefined;
    const member = provider && cs.members.find((x) => x.memberClass === provider.memberClass && x.memberCode === provider.memberCode);
    const sub = member?.subsystems.find((x) => x.code === provider?.subsystemCode);
    return {
      ...(m.serviceProviderId ? { service_provider_id: m.serviceProviderId } : {}),
      ...(m.securityServerId ? { security_server_id: m.securityServerId } : {}),
      security_server_owners_global_group_code: 'security-server-owners',
      ...((sub?.name ?? member?.name) ? { service_provider_name: sub?.name ?? member?.name } : {}),
      services_address: `https://${cs.address}:4002/managementservice/manage/`,
      wsdl_address: `http://${cs.address}/managementservices.wsdl`,
    };
  };

  return [
    // ---------- initialisation ----------
    {
      method: 'GET',
      path: '/initialization/status',
      op: 'getInitializationStatus',
      roles: 'any',
      h: () =>
        ok({
          instance_identifier: st.instance,
          central_server_address: cs.address,
          software_token_init_status: csInitialized(e) ? 'INITIALIZED' : 'NOT_INITIALIZED',
        }),
    },
    {
      method: 'POST',
      path: '/initialization',
      op: 'initCentralServer',
      roles: [SYS],
      write: true,
      h: (c) => {
        const b = c.json();
        const instance = identifierPart(str(b, 'instance_identifier', 'initialServerConf'), 'initialServerConf.instanceIdentifier');
        const address = str(b, 'central_server_address', 'initialServerConf');
        const pin = str(b, 'software_token_pin', 'initialServerConf');
        if (csInitialized(e)) throw conflict('init_already_initialized');
        // the sandbox's instance is fixed when it starts (--instance): its security servers and anchor use it
        if (instance !== st.instance)
          throw bad('init_invalid_instance_identifier', `the sandbox runs instance ${st.instance} (start it with --instance ${instance})`);
        if (!/^[A-Za-z0-9.-]+$/.test(address)) throw bad('init_invalid_central_server_address', address);
        if (pin.length < 4) throw bad('init_software_token_pin_weak', 'pin_min_length', '4');
        cs.address = address;
        cs.pinSha256 = pinHash(pin);
        cs.initialized = true;
        cs.tokenLoggedIn = false; // the token is initialised with this PIN; log in with PUT /tokens/0/login (as NIIS's setup does)
        e.csChanged();
        return { status: 201 };
      },
    },

    // ---------- token ----------
    { method: 'GET', path: '/tokens', op: 'getTokens', roles: VIEW, h: () => ok([tokenView()]) },
    {
      method: 'PUT',
      path: '/tokens/{token_id}/login',
      op: 'loginToken',
      roles: [SO, SYS],
      write: true,
      h: (c) => {
        token(c.params.token_id!);
        const pw = str(c.json(), 'password', 'tokenPassword');
        requireInit();
        if (cs.tokenLoggedIn) throw conflict('token_already_logged_in', '0');
        if (cs.pinSha256 && pinHash(pw) !== cs.pinSha256) throw bad('token_incorrect_pin_format', 'incorrect PIN');
        cs.tokenLoggedIn = true;
        return ok(tokenView());
      },
    },
    {
      method: 'PUT',
      path: '/tokens/{token_id}/logout',
      op: 'logoutToken',
      roles: [SO, SYS],
      write: true,
      h: (c) => {
        token(c.params.token_id!);
        requireInit();
        cs.tokenLoggedIn = false;
        return ok(tokenView());
      },
    },

    // ---------- timestamping services ----------
    { method: 'GET', path: '/timestamping-services', op: 'getTimestampingServices', roles: VIEW, h: () => ok((cs.tsas ?? []).map(tsaView)) },
    {
      method: 'GET',
      path: '/timestamping-services/{timestamping_service_id}',
      op: 'getTimestampingService',
      roles: VIEW,
      h: (c) => ok(tsaView(tsa(c.params.timestamping_service_id!))),
    },
    {
      method: 'POST',
      path: '/timestamping-services',
      op: 'addTimestampingService',
      roles: [SYS],
      write: true,
      upload: true,
      h: (c) => {
        const form = parseMultipart(c.contentTypeHeader, c.body);
        const url = form.get('url')?.data.toString('utf8').trim() ?? '';
        const cost = form.get('cost_type')?.data.toString('utf8').trim() ?? '';
        if (!url || !URL.canParse(url)) throw bad('validation_failure', 'url');
        if (!['FREE', 'PAID', 'UNDEFINED'].includes(cost)) throw bad('validation_failure', 'cost_type');
        const file = form.get('certificate');
        if (!file?.data.length) throw bad('invalid_certificate', 'certificate missing');
        let der: Buffer;
        try {
          der = certInputToDer(file.data);
        } catch {
          throw bad('invalid_certificate', 'not an X.509 certificate');
        }
        const list = (cs.tsas ??= []);
        if (list.some((t) => t.url === url)) throw conflict('timestamping_service_already_exists', url);
        const t = {
          id: Math.max(0, ...list.map((x) => x.id)) + 1,
          url,
          costType: cost as 'FREE' | 'PAID' | 'UNDEFINED',
          certPem: derToPem(der, 'CERTIFICATE'),
        };
        list.push(t);
        e.csChanged();
        return ok(tsaView(t), 201);
      },
    },
    {
      method: 'DELETE',
      path: '/timestamping-services/{timestamping_service_id}',
      op: 'deleteTimestampingService',
      roles: [SYS],
      write: true,
      h: (c) => {
        const t = tsa(c.params.timestamping_service_id!);
        cs.tsas = cs.tsas!.filter((x) => x !== t);
        e.csChanged();
        return { status: 204 };
      },
    },

    // ---------- management services ----------
    { method: 'GET', path: '/management-services-configuration', op: 'getManagementServicesConfiguration', roles: VIEW, h: () => ok(mgmtView()) },
    {
      method: 'PATCH',
      path: '/management-services-configuration',
      op: 'updateManagementServicesConfiguration',
      roles: [SYS],
      write: true,
      h: (c) => {
        const id = str(c.json(), 'service_provider_id', 'serviceProviderId');
        const p = parseClientId(id);
        if (!p || !p.subsystemCode || p.instance !== st.instance) throw bad('invalid_service_provider_id', id);
        const m = cs.members.find((x) => x.memberClass === p.memberClass && x.memberCode === p.memberCode);
        if (!m) throw notFound('member_not_found', id);
        if (!m.subsystems.some((s) => s.code === p.subsystemCode)) m.subsystems.push({ code: p.subsystemCode, createdAt: e.clock.now().toISOString() });
        cs.managementServices = { serviceProviderId: clientIdOf(p) };
        e.csChanged();
        return ok(mgmtView());
      },
    },
    {
      method: 'POST',
      path: '/management-services-configuration/register-provider',
      op: 'registerServiceProvider',
      roles: [SYS],
      write: true,
      h: (c) => {
        const sid = str(c.json(), 'security_server_id', 'registerServiceProviderRequest');
        const provider = cs.managementServices?.serviceProviderId;
        if (!provider) throw conflict('management_service_provider_not_set');
        const server = cs.servers.find((s) => serverIdOf(st.instance, s) === sid);
        if (!server) throw notFound('security_server_not_found', sid);
        if (!server.clients.includes(provider)) {
          const now = e.clock.now().toISOString();
          // as the real CS: a CLIENT_REGISTRATION_REQUEST from the centre, approved at once
          cs.requests.push({
            id: cs.requests.reduce((mx, r) => Math.max(mx, r.id), 0) + 1,
            type: 'CLIENT_REGISTRATION_REQUEST',
            origin: 'CENTER',
            status: 'APPROVED',
            serverId: sid,
            clientId: provider,
            createdAt: now,
            updatedAt: now,
          });
          server.clients.push(provider);
        }
        cs.managementServices = { serviceProviderId: provider, securityServerId: sid };
        e.csChanged();
        return ok(mgmtView());
      },
    },
  ];
}

/** CS operations other than getSystemVersion, the initialisation and the token answer this until initialisation */
export function requireCsInitialized(e: Engine, op: string): void {
  if (csInitialized(e)) return;
  if (['getSystemVersion', 'getInitializationStatus', 'initCentralServer', 'getTokens', 'getUser', 'getSystemStatus'].includes(op)) return;
  throw new ApiError(409, 'init_not_initialized', [op]);
}
