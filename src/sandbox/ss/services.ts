/** Security Server routes: service descriptions, services, endpoints, access rights and local groups (xroad-flows §6.2, §6.3). */
import type { ServiceClient } from '../../api/types/ss.js';
import { ApiError, bad, conflict, notFound } from '../http.js';
import { clientIdOf, memberIdOf, nextId, parseClientId, type ServiceDescriptionState } from '../model.js';
import { arr, enumOf, identifierPart, optBool, optInt, optStr, qEnum, str } from '../validate.js';
import { STYPES, METHODS, SC_TYPES, RESERVED, DEFAULT_DISABLED_NOTICE, ok, noContent, SA, OBS } from './common.js';
import type { Route } from '../http.js';
import type { SsCtx } from './context.js';

export function servicesRoutes(x: SsCtx): Route[] {
  const {
    e,
    ss,
    st,
    iso,
    inst,
    client,
    gc,
    endpointView,
    serviceView,
    sdView,
    findService,
    findEndpoint,
    findSd,
    findGroup,
    groupView,
    subject,
    scItems,
    addService,
    validUrl,
    wsdlServiceCode,
    aclsFor,
    serviceTitle,
    serviceClientsOf,
  } = x;
  return [
    // ---------- service descriptions ----------
    {
      method: 'GET',
      path: '/clients/{id}/service-descriptions',
      op: 'getClientServiceDescriptions',
      roles: [SA, OBS],
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        return ok(ss.serviceDescriptions.filter((x) => x.clientId === id).map(sdView));
      },
    },
    {
      method: 'POST',
      path: '/clients/{id}/service-descriptions',
      op: 'addClientServiceDescription',
      roles: [SA],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        const b = c.json();
        const url = str(b, 'url', 'serviceDescriptionAdd');
        const type = enumOf(b, 'type', 'serviceDescriptionAdd', STYPES);
        const code = optStr(b, 'rest_service_code', 'serviceDescriptionAdd');
        optBool(b, 'ignore_warnings', 'serviceDescriptionAdd');
        if (!validUrl(url)) throw bad('invalid_url', url);
        const id = clientIdOf(cl);
        const mine = ss.serviceDescriptions.filter((x) => x.clientId === id);
        if (mine.some((x) => x.url === url)) throw conflict('url_already_exists', url);
        const codes = new Set(mine.flatMap((x) => x.services.map((s) => s.serviceCode)));
        const sd: ServiceDescriptionState = {
          id: nextId(st),
          clientId: id,
          url,
          type,
          disabled: true,
          disabledNotice: DEFAULT_DISABLED_NOTICE,
          refreshedAt: iso(),
          services: [],
        };
        if (type === 'WSDL') {
          const sc = wsdlServiceCode(url);
          if (codes.has(sc)) throw conflict('service_already_exists', sc, url);
          sd.services.push(addService(sd, sc, new URL(url).origin + '/' + sc, 'v1'));
        } else {
          if (!code) throw bad('missing_parameter', 'rest_service_code');
          identifierPart(code, 'serviceDescriptionAdd.restServiceCode');
          if (RESERVED.includes(code)) throw bad('service_code_reserved', code);
          if (codes.has(code)) throw conflict('service_code_already_exists', code);
          sd.restServiceCode = code;
          sd.services.push(addService(sd, code, type === 'REST' ? url : new URL(url).origin));
        }
        ss.serviceDescriptions.push(sd);
        return ok(sdView(sd), 201);
      },
    },
    { method: 'GET', path: '/service-descriptions/{id}', op: 'getServiceDescription', roles: [SA, OBS], h: (c) => ok(sdView(findSd(c.params.id!))) },
    {
      method: 'GET',
      path: '/service-descriptions/{id}/services',
      op: 'getServiceDescriptionServices',
      roles: [SA, OBS],
      h: (c) => {
        const sd = findSd(c.params.id!);
        return ok(sd.services.map((s) => serviceView(sd, s)));
      },
    },
    {
      method: 'PATCH',
      path: '/service-descriptions/{id}',
      op: 'updateServiceDescription',
      roles: [SA],
      write: true,
      h: (c) => {
        const sd = findSd(c.params.id!);
        const b = c.json();
        const url = str(b, 'url', 'serviceDescriptionUpdate');
        const type = enumOf(b, 'type', 'serviceDescriptionUpdate', STYPES);
        const newCode = optStr(b, 'new_rest_service_code', 'serviceDescriptionUpdate');
        optStr(b, 'rest_service_code', 'serviceDescriptionUpdate');
        optBool(b, 'ignore_warnings', 'serviceDescriptionUpdate');
        if (type !== sd.type) throw bad('wrong_type', type);
        if (!validUrl(url)) throw bad('invalid_url', url);
        if (url !== sd.url && ss.serviceDescriptions.some((x) => x.clientId === sd.clientId && x.url === url)) throw conflict('url_already_exists', url);
        sd.url = url;
        if (sd.type !== 'WSDL') {
          const s = sd.services[0]!;
          if (newCode && newCode !== s.serviceCode) {
            if (RESERVED.includes(newCode)) throw bad('service_code_reserved', newCode);
            if (ss.serviceDescriptions.some((x) => x.clientId === sd.clientId && x.services.some((y) => y.serviceCode === newCode)))
              throw conflict('service_code_already_exists', newCode);
            for (const a of ss.acls) if (a.clientId === sd.clientId && a.serviceCode === s.serviceCode) a.serviceCode = newCode;
            s.serviceCode = newCode;
            s.title = newCode;
            sd.restServiceCode = newCode;
          }
          s.url = sd.type === 'REST' ? url : new URL(url).origin;
        }
        sd.refreshedAt = iso();
        return ok(sdView(sd));
      },
    },
    {
      method: 'DELETE',
      path: '/service-descriptions/{id}',
      op: 'deleteServiceDescription',
      roles: [SA],
      write: true,
      h: (c) => {
        const sd = findSd(c.params.id!);
        const codes = new Set(sd.services.map((s) => s.serviceCode));
        ss.acls = ss.acls.filter((a) => !(a.clientId === sd.clientId && codes.has(a.serviceCode)));
        ss.serviceDescriptions = ss.serviceDescriptions.filter((x) => x !== sd);
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/service-descriptions/{id}/enable',
      op: 'enableServiceDescription',
      roles: [SA],
      write: true,
      h: (c) => {
        const sd = findSd(c.params.id!);
        sd.disabled = false;
        e.touchSd(ss, sd);
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/service-descriptions/{id}/disable',
      op: 'disableServiceDescription',
      roles: [SA],
      write: true,
      h: (c) => {
        const sd = findSd(c.params.id!);
        const notice = c.body.length ? optStr(c.json(), 'disabled_notice', 'serviceDescriptionDisabledNotice') : undefined;
        sd.disabled = true;
        sd.disabledNotice = notice ?? sd.disabledNotice;
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/service-descriptions/{id}/refresh',
      op: 'refreshServiceDescription',
      roles: [SA],
      write: true,
      h: (c) => {
        const sd = findSd(c.params.id!);
        if (c.body.length) optBool(c.json(), 'ignore_warnings', 'ignoreWarnings');
        sd.refreshedAt = iso();
        return ok(sdView(sd));
      },
    },

    // ---------- services / endpoints ----------
    {
      method: 'GET',
      path: '/services/{id}',
      op: 'getService',
      roles: [SA, OBS],
      h: (c) => {
        const { sd, s } = findService(c.params.id!);
        return ok(serviceView(sd, s));
      },
    },
    {
      method: 'PATCH',
      path: '/services/{id}',
      op: 'updateService',
      roles: [SA],
      write: true,
      h: (c) => {
        const { sd, s } = findService(c.params.id!);
        const b = c.json();
        const url = str(b, 'url', 'serviceUpdate');
        const timeout = optInt(b, 'timeout', 'serviceUpdate', 0, 1000);
        if (timeout === undefined) throw new ApiError(400, 'validation_failure', undefined, undefined, { 'serviceUpdate.timeout': ['NotNull'] });
        const ssl = optBool(b, 'ssl_auth', 'serviceUpdate');
        if (ssl === undefined) throw new ApiError(400, 'validation_failure', undefined, undefined, { 'serviceUpdate.sslAuth': ['NotNull'] });
        const urlAll = optBool(b, 'url_all', 'serviceUpdate'),
          toAll = optBool(b, 'timeout_all', 'serviceUpdate'),
          sslAll = optBool(b, 'ssl_auth_all', 'serviceUpdate');
        optBool(b, 'ignore_warnings', 'serviceUpdate');
        if (!validUrl(url)) throw bad('invalid_url', url);
        if (ssl && !url.startsWith('https:')) throw bad('invalid_https_url', url);
        for (const x of sd.services) {
          if (x === s || urlAll) x.url = url;
          if (x === s || toAll) x.timeout = timeout;
          if (x === s || sslAll) x.sslAuth = ssl && x.url.startsWith('https:');
        }
        e.touchSd(ss, sd);
        return ok(serviceView(sd, s));
      },
    },
    {
      method: 'POST',
      path: '/services/{id}/endpoints',
      op: 'addEndpoint',
      roles: [SA],
      write: true,
      h: (c) => {
        const { sd, s } = findService(c.params.id!);
        const b = c.json();
        if (b.id !== undefined) throw bad('endpoint_id_should_not_be_provided');
        const method = enumOf(b, 'method', 'endpoint', METHODS);
        const path = str(b, 'path', 'endpoint');
        if (sd.type === 'WSDL') throw bad('wrong_service_type');
        if (s.endpoints.some((x) => x.method === method && x.path === path)) throw conflict('endpoint_already_exists', method, path);
        const ep = { id: nextId(st), method, path, generated: false };
        s.endpoints.push(ep);
        return ok(endpointView(s, ep), 201);
      },
    },
    {
      method: 'GET',
      path: '/endpoints/{id}',
      op: 'getEndpoint',
      roles: [SA, OBS],
      h: (c) => {
        const { s, ep } = findEndpoint(c.params.id!);
        return ok(endpointView(s, ep));
      },
    },
    {
      method: 'PATCH',
      path: '/endpoints/{id}',
      op: 'updateEndpoint',
      roles: [SA],
      write: true,
      h: (c) => {
        const { s, ep } = findEndpoint(c.params.id!);
        const b = c.json();
        const method = enumOf(b, 'method', 'endpointUpdate', METHODS);
        const path = str(b, 'path', 'endpointUpdate');
        if (ep.generated) throw bad('illegal_generated_endpoint_update');
        if (s.endpoints.some((x) => x !== ep && x.method === method && x.path === path)) throw conflict('endpoint_already_exists', method, path);
        ep.method = method;
        ep.path = path;
        return ok(endpointView(s, ep));
      },
    },
    {
      method: 'DELETE',
      path: '/endpoints/{id}',
      op: 'deleteEndpoint',
      roles: [SA],
      write: true,
      h: (c) => {
        const { s, ep } = findEndpoint(c.params.id!);
        if (ep.generated) throw bad('illegal_generated_endpoint_remove');
        s.endpoints = s.endpoints.filter((x) => x !== ep);
        ss.acls = ss.acls.filter((a) => a.endpointId !== ep.id);
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/services/{id}/service-clients',
      op: 'getServiceServiceClients',
      roles: [SA, OBS],
      h: (c) => {
        const { sd, s } = findService(c.params.id!);
        return ok(serviceClientsOf(sd.clientId, (a) => a.serviceCode === s.serviceCode && !a.endpointId));
      },
    },
    {
      method: 'POST',
      path: '/services/{id}/service-clients',
      op: 'addServiceServiceClients',
      roles: [SA],
      write: true,
      h: (c) => {
        const { sd, s } = findService(c.params.id!);
        const ids = scItems(c);
        const subs = ids.map((id) => subject(sd.clientId, id));
        for (const x of subs)
          if (ss.acls.some((a) => a.clientId === sd.clientId && a.serviceCode === s.serviceCode && !a.endpointId && a.subjectId === x.id))
            throw conflict('duplicate_accessright', x.id);
        for (const x of subs) ss.acls.push({ clientId: sd.clientId, serviceCode: s.serviceCode, subjectId: x.id, givenAt: iso() });
        return ok(
          serviceClientsOf(sd.clientId, (a) => a.serviceCode === s.serviceCode && !a.endpointId),
          201,
        );
      },
    },
    {
      method: 'POST',
      path: '/services/{id}/service-clients/delete',
      op: 'deleteServiceServiceClients',
      roles: [SA],
      write: true,
      h: (c) => {
        const { sd, s } = findService(c.params.id!);
        const ids = scItems(c);
        for (const id of ids)
          if (!ss.acls.some((a) => a.clientId === sd.clientId && a.serviceCode === s.serviceCode && a.subjectId === id))
            throw bad('service_client_not_found', id);
        const epIds = new Set(s.endpoints.map((x) => x.id));
        ss.acls = ss.acls.filter(
          (a) => !(a.clientId === sd.clientId && ids.includes(a.subjectId) && (a.serviceCode === s.serviceCode || (a.endpointId && epIds.has(a.endpointId)))),
        );
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/endpoints/{id}/service-clients',
      op: 'getEndpointServiceClients',
      roles: [SA, OBS],
      h: (c) => {
        const { sd, ep } = findEndpoint(c.params.id!);
        return ok(serviceClientsOf(sd.clientId, (a) => a.endpointId === ep.id));
      },
    },
    {
      method: 'POST',
      path: '/endpoints/{id}/service-clients',
      op: 'addEndpointServiceClients',
      roles: [SA],
      write: true,
      h: (c) => {
        const { sd, s, ep } = findEndpoint(c.params.id!);
        const subs = scItems(c).map((id) => subject(sd.clientId, id));
        for (const x of subs) if (ss.acls.some((a) => a.endpointId === ep.id && a.subjectId === x.id)) throw conflict('duplicate_accessright', x.id);
        for (const x of subs) ss.acls.push({ clientId: sd.clientId, serviceCode: s.serviceCode, endpointId: ep.id, subjectId: x.id, givenAt: iso() });
        return ok(
          serviceClientsOf(sd.clientId, (a) => a.endpointId === ep.id),
          201,
        );
      },
    },
    {
      method: 'POST',
      path: '/endpoints/{id}/service-clients/delete',
      op: 'deleteEndpointServiceClients',
      roles: [SA],
      write: true,
      h: (c) => {
        const { ep } = findEndpoint(c.params.id!);
        const ids = scItems(c);
        for (const id of ids) if (!ss.acls.some((a) => a.endpointId === ep.id && a.subjectId === id)) throw bad('service_client_not_found', id);
        ss.acls = ss.acls.filter((a) => !(a.endpointId === ep.id && ids.includes(a.subjectId)));
        return noContent();
      },
    },

    // ---------- service-client-centric access rights ----------
    {
      method: 'GET',
      path: '/clients/{id}/service-clients',
      op: 'getClientServiceClients',
      roles: [SA, OBS],
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        return ok(serviceClientsOf(id, () => true));
      },
    },
    {
      method: 'GET',
      path: '/clients/{id}/service-clients/{sc_id}',
      op: 'getServiceClient',
      roles: [SA, OBS],
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        const found = serviceClientsOf(id, (a) => a.subjectId === c.params.sc_id)[0];
        if (!found) throw notFound('service_client_not_found', c.params.sc_id!);
        return ok(found);
      },
    },
    {
      method: 'GET',
      path: '/clients/{id}/service-clients/{sc_id}/access-rights',
      op: 'getServiceClientAccessRights',
      roles: [SA, OBS],
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        const list = aclsFor(id, c.params.sc_id!);
        if (!list.length) {
          subject(id, c.params.sc_id!);
        }
        return ok(
          list.map((a) => ({ service_code: a.serviceCode, service_title: serviceTitle(id, a.serviceCode) ?? a.serviceCode, rights_given_at: a.givenAt })),
        );
      },
    },
    {
      method: 'POST',
      path: '/clients/{id}/service-clients/{sc_id}/access-rights',
      op: 'addServiceClientAccessRights',
      roles: [SA],
      write: true,
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        const sc = c.params.sc_id!;
        const items = arr(c.json(), 'items', 'accessRights', true).map((it, i) => {
          if (!it || typeof it !== 'object') throw new ApiError(400, 'validation_failure', undefined, undefined, { [`accessRights.items[${i}]`]: ['NotNull'] });
          return str(it as Record<string, unknown>, 'service_code', `accessRights.items[${i}]`);
        });
        subject(id, sc);
        for (const code of items) {
          if (!ss.serviceDescriptions.some((x) => x.clientId === id && x.services.some((s) => s.serviceCode === code)))
            throw notFound('service_not_found', code);
          if (aclsFor(id, sc).some((a) => a.serviceCode === code)) throw conflict('duplicate_accessright', code);
        }
        const added = items.map((code) => {
          const a = { clientId: id, serviceCode: code, subjectId: sc, givenAt: iso() };
          ss.acls.push(a);
          return { service_code: code, service_title: serviceTitle(id, code) ?? code, rights_given_at: a.givenAt };
        });
        return ok(added, 201);
      },
    },
    {
      method: 'POST',
      path: '/clients/{id}/service-clients/{sc_id}/access-rights/delete',
      op: 'deleteServiceClientAccessRights',
      roles: [SA],
      write: true,
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        const sc = c.params.sc_id!;
        const items = arr(c.json(), 'items', 'accessRights', true).map((it, i) =>
          str((it ?? {}) as Record<string, unknown>, 'service_code', `accessRights.items[${i}]`),
        );
        for (const code of items) if (!aclsFor(id, sc).some((a) => a.serviceCode === code)) throw bad('access_right_not_found', code);
        ss.acls = ss.acls.filter((a) => !(a.clientId === id && a.subjectId === sc && items.includes(a.serviceCode)));
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/clients/{id}/service-client-candidates',
      op: 'findServiceClientCandidates',
      roles: [SA, OBS],
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        const type = qEnum(c.query, 'service_client_type', SC_TYPES);
        const out: ServiceClient[] = [];
        if (!type || type === 'SUBSYSTEM')
          for (const m of gc()?.members ?? [])
            for (const s of m.subsystems) out.push({ id: `${m.id}:${s.code}`, name: s.name ?? s.code, service_client_type: 'SUBSYSTEM' });
        if (!type || type === 'GLOBALGROUP')
          for (const g of gc()?.globalGroups ?? []) out.push({ id: `${inst}:${g.code}`, name: g.code, service_client_type: 'GLOBALGROUP' });
        if (!type || type === 'LOCALGROUP')
          for (const g of ss.localGroups.filter((x) => x.clientId === id))
            out.push({ id: g.id, name: g.description, local_group_code: g.code, service_client_type: 'LOCALGROUP' });
        return ok(out);
      },
    },

    // ---------- local groups ----------
    {
      method: 'GET',
      path: '/clients/{id}/local-groups',
      op: 'getClientLocalGroups',
      roles: [SA, OBS],
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        // the real LocalGroupConverter always includes members
        return ok(ss.localGroups.filter((g) => g.clientId === id).map((g) => groupView(g, true)));
      },
    },
    {
      method: 'POST',
      path: '/clients/{id}/local-groups',
      op: 'addClientLocalGroup',
      roles: [SA],
      write: true,
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        const b = c.json();
        const code = str(b, 'code', 'localGroupAdd');
        const description = str(b, 'description', 'localGroupAdd');
        if (ss.localGroups.some((g) => g.clientId === id && g.code === code)) throw conflict('local_group_code_already_exists', code);
        const g = { id: nextId(st), clientId: id, code, description, updatedAt: iso(), members: [] };
        ss.localGroups.push(g);
        return ok(groupView(g, true), 201);
      },
    },
    { method: 'GET', path: '/local-groups/{group_id}', op: 'getLocalGroup', roles: [SA, OBS], h: (c) => ok(groupView(findGroup(c.params.group_id!), true)) },
    {
      method: 'PATCH',
      path: '/local-groups/{group_id}',
      op: 'updateLocalGroup',
      roles: [SA],
      write: true,
      h: (c) => {
        const g = findGroup(c.params.group_id!);
        g.description = str(c.json(), 'description', 'localGroupDescription');
        g.updatedAt = iso();
        return ok(groupView(g, true));
      },
    },
    {
      method: 'DELETE',
      path: '/local-groups/{group_id}',
      op: 'deleteLocalGroup',
      roles: [SA],
      write: true,
      h: (c) => {
        const g = findGroup(c.params.group_id!);
        ss.localGroups = ss.localGroups.filter((x) => x !== g);
        ss.acls = ss.acls.filter((a) => !(a.clientId === g.clientId && a.subjectId === g.id));
        return noContent();
      },
    },
    {
      method: 'POST',
      path: '/local-groups/{group_id}/members',
      op: 'addLocalGroupMember',
      roles: [SA],
      write: true,
      h: (c) => {
        const g = findGroup(c.params.group_id!);
        const items = arr(c.json(), 'items', 'members', true).map((x, i) => {
          if (typeof x !== 'string') throw new ApiError(400, 'validation_failure', undefined, undefined, { [`members.items[${i}]`]: ['TypeMismatch'] });
          return x;
        });
        for (const id of items) {
          const p = parseClientId(id);
          if (!p || !p.subsystemCode) throw bad('invalid_identifier', id);
          if (!gc()?.members.some((m) => m.id === memberIdOf(p) && m.subsystems.some((s) => s.code === p.subsystemCode)) && !e.findClient(ss, id))
            throw notFound('client_not_found', id);
          if (g.members.some((m) => m.id === id)) throw conflict('member_already_exists', id);
        }
        for (const id of items) g.members.push({ id, createdAt: iso() });
        g.updatedAt = iso();
        return ok({ items }, 201);
      },
    },
    {
      method: 'POST',
      path: '/local-groups/{group_id}/members/delete',
      op: 'deleteLocalGroupMember',
      roles: [SA],
      write: true,
      h: (c) => {
        const g = findGroup(c.params.group_id!);
        const items = arr(c.json(), 'items', 'members', true).map((x) => String(x));
        for (const id of items) if (!g.members.some((m) => m.id === id)) throw notFound('local_group_member_not_found', id);
        g.members = g.members.filter((m) => !items.includes(m.id));
        g.updatedAt = iso();
        return noContent();
      },
    },
  ];
}
