/** Security Server routes: clients: add, register, unregister, disable/enable, rename, owner change, delete (xroad-flows §6.1). */
import type { Client } from '../../api/types/ss.js';
import { bad, conflict, warningsDetected } from '../http.js';
import { clientIdOf, memberIdOf, parseClientId, type ClientState } from '../model.js';
import { identifierPart, obj, optBool, optEnum, optStr, qBool, str } from '../validate.js';
import { CONN, ok, noContent, SO, RO, SA, SYS, OBS } from './common.js';
import type { Route } from '../http.js';
import type { SsCtx } from './context.js';

export function clientsRoutes(x: SsCtx): Route[] {
  const { e, ss, inst, requireInit, client, owner, gc, submit, serverIdOrFail, clientView } = x;
  return [
    // ---------- clients ----------
    {
      method: 'GET',
      path: '/clients',
      op: 'findClients',
      roles: [RO, SA, SYS, OBS, SO],
      h: (c) => {
        const q = c.query;
        const showMembers = qBool(q, 'show_members', true);
        const internal = qBool(q, 'internal_search', true);
        const validSign = q.has('local_valid_sign_cert') ? qBool(q, 'local_valid_sign_cert', false) : undefined;
        const excludeLocal = qBool(q, 'exclude_local', false);
        qBool(q, 'include_management_service_check', false);
        let list: Client[] = excludeLocal ? [] : ss.clients.map(clientView);
        if (!internal) {
          for (const m of gc()?.members ?? []) {
            const p = parseClientId(m.id)!;
            const cands = [
              { ...p, subsystemCode: undefined as string | undefined, name: undefined as string | undefined },
              ...m.subsystems.map((s) => ({ ...p, subsystemCode: s.code, name: s.name })),
            ];
            for (const x of cands) {
              const id = clientIdOf(x);
              if (list.some((l) => l.id === id) || (!excludeLocal && e.findClient(ss, id))) continue;
              if (excludeLocal && e.findClient(ss, id)) continue;
              const v: Client = { id, instance_id: x.instance, member_name: m.name, member_class: x.memberClass, member_code: x.memberCode };
              if (x.subsystemCode) v.subsystem_code = x.subsystemCode;
              list.push(v);
            }
          }
        }
        const f = (k: string) => q.get(k) || undefined;
        const name = f('name'),
          instance = f('instance'),
          mclass = f('member_class'),
          mcode = f('member_code'),
          sub = f('subsystem_code');
        list = list.filter(
          (x) =>
            (showMembers || x.subsystem_code) &&
            (!name ||
              (x.member_name ?? '').toLowerCase().includes(name.toLowerCase()) ||
              (x.subsystem_name ?? '').toLowerCase().includes(name.toLowerCase())) &&
            (!instance || x.instance_id === instance) &&
            (!mclass || x.member_class === mclass) &&
            (!mcode || x.member_code.includes(mcode)) &&
            (!sub || (x.subsystem_code ?? '').includes(sub)) &&
            (validSign === undefined || x.has_valid_local_sign_cert === validSign),
        );
        return ok(list);
      },
    },
    {
      method: 'POST',
      path: '/clients',
      op: 'addClient',
      roles: [RO],
      write: true,
      h: (c) => {
        const b = c.json();
        const cl = obj(b, 'client', 'clientAdd');
        const ignore = optBool(b, 'ignore_warnings', 'clientAdd') ?? false;
        const mclass = identifierPart(str(cl, 'member_class', 'clientAdd.client'), 'clientAdd.client.memberClass');
        const mcode = identifierPart(str(cl, 'member_code', 'clientAdd.client'), 'clientAdd.client.memberCode');
        const sub = optStr(cl, 'subsystem_code', 'clientAdd.client');
        if (sub !== undefined) identifierPart(sub, 'clientAdd.client.subsystemCode');
        const subName = optStr(cl, 'subsystem_name', 'clientAdd.client');
        const conn = optEnum(cl, 'connection_type', 'clientAdd.client', CONN) ?? 'HTTPS';
        const instId = optStr(cl, 'instance_id', 'clientAdd.client');
        requireInit();
        if (instId && instId !== inst) throw bad('invalid_instance_identifier', instId);
        if (!gc()?.memberClasses.includes(mclass)) throw bad('invalid_member_class', mclass);
        const cs: ClientState = { instance: inst, memberClass: mclass, memberCode: mcode, connectionType: conn, status: 'SAVED', tlsCerts: [] };
        if (sub) cs.subsystemCode = sub;
        if (subName) cs.subsystemName = subName;
        const id = clientIdOf(cs);
        if (e.findClient(ss, id)) throw conflict('client_already_exists', id);
        if (!sub && memberIdOf(cs) !== owner() && ss.clients.some((x) => !x.subsystemCode && memberIdOf(x) !== owner()))
          throw conflict('additional_member_already_exists');
        if (!gc()?.members.some((m) => m.id === memberIdOf(cs)) && !ignore)
          throw warningsDetected([{ code: 'unregistered_member', metadata: [memberIdOf(cs)] }]);
        ss.clients.push(cs);
        e.reconcile(ss);
        return ok(clientView(cs), 201);
      },
    },
    { method: 'GET', path: '/clients/{id}', op: 'getClient', roles: [RO, SA, SYS, OBS, SO], h: (c) => ok(clientView(client(c.params.id!))) },
    {
      method: 'PATCH',
      path: '/clients/{id}',
      op: 'updateClient',
      roles: [SA, RO],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        const ct = optEnum(c.json(), 'connection_type', 'connectionTypeWrapper', CONN);
        if (ct) cl.connectionType = ct;
        return ok(clientView(cl));
      },
    },
    {
      method: 'DELETE',
      path: '/clients/{id}',
      op: 'deleteClient',
      roles: [RO],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        const id = clientIdOf(cl);
        if (memberIdOf(cl) === owner() && !cl.subsystemCode) throw bad('cannot_delete_owner');
        if (!['SAVED', 'DELETION_IN_PROGRESS', 'GLOBAL_ERROR'].includes(cl.status)) throw conflict('action_not_possible', 'DELETE');
        ss.clients = ss.clients.filter((x) => x !== cl);
        ss.serviceDescriptions = ss.serviceDescriptions.filter((x) => x.clientId !== id);
        ss.acls = ss.acls.filter((x) => x.clientId !== id && x.subjectId !== id);
        ss.localGroups = ss.localGroups.filter((x) => x.clientId !== id);
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/clients/{id}/register',
      op: 'registerClient',
      roles: [RO],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        if (memberIdOf(cl) === owner() && !cl.subsystemCode) throw bad('cannot_register_owner');
        if (cl.status !== 'SAVED') throw conflict('action_not_possible', 'REGISTER');
        e.requireGcFresh(ss);
        e.requireSigner(ss, [...new Set([owner(), memberIdOf(cl)])], true);
        submit({
          type: 'CLIENT_REGISTRATION_REQUEST',
          origin: 'SECURITY_SERVER',
          serverId: serverIdOrFail(),
          clientId: clientIdOf(cl),
          subsystemName: cl.subsystemName,
        });
        cl.status = 'REGISTRATION_IN_PROGRESS';
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/clients/{id}/unregister',
      op: 'unregisterClient',
      roles: [RO],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        if (memberIdOf(cl) === owner() && !cl.subsystemCode) throw bad('cannot_unregister_owner');
        if (!['REGISTERED', 'REGISTRATION_IN_PROGRESS', 'DISABLED'].includes(cl.status)) throw conflict('action_not_possible', 'UNREGISTER');
        e.requireSigner(ss, [owner()], true);
        submit({ type: 'CLIENT_DELETION_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl) });
        cl.status = 'DELETION_IN_PROGRESS';
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/clients/{id}/disable',
      op: 'disableClient',
      roles: [RO],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        if (cl.status !== 'REGISTERED') throw conflict('action_not_possible', 'DISABLE');
        e.requireSigner(ss, [memberIdOf(cl)], true);
        submit({ type: 'CLIENT_DISABLE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl) });
        cl.status = 'DISABLING_IN_PROGRESS';
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/clients/{id}/enable',
      op: 'enableClient',
      roles: [RO],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        if (cl.status !== 'DISABLED') throw conflict('action_not_possible', 'ENABLE');
        e.requireSigner(ss, [memberIdOf(cl)], true);
        submit({ type: 'CLIENT_ENABLE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl) });
        cl.status = 'ENABLING_IN_PROGRESS';
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/clients/{id}/rename',
      op: 'renameClient',
      roles: [RO],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        const n = str(c.json(), 'client_name', 'clientName');
        if (!cl.subsystemCode) throw conflict('action_not_possible', 'RENAME');
        if (cl.status === 'REGISTERED') {
          e.requireSigner(ss, [memberIdOf(cl)], true);
          submit({ type: 'CLIENT_RENAME_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl), subsystemName: n });
          cl.renameStatus = 'NAME_SUBMITTED';
        } else cl.renameStatus = 'NAME_SET';
        cl.subsystemName = n;
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/clients/{id}/make-owner',
      op: 'changeOwner',
      roles: [RO],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        if (cl.subsystemCode || memberIdOf(cl) === owner() || cl.status !== 'REGISTERED') throw conflict('action_not_possible', 'MAKE_OWNER');
        e.requireSigner(ss, [memberIdOf(cl)], true);
        submit({ type: 'OWNER_CHANGE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), clientId: clientIdOf(cl) });
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/clients/{id}/sign-certificates',
      op: 'getClientSignCertificates',
      roles: [RO, SA, SYS, OBS, SO],
      h: (c) => {
        const cl = client(c.params.id!);
        return ok(ss.keys.flatMap((k) => k.certs.filter((x) => x.ownerId === memberIdOf(cl)).map((x) => e.certView(ss, k, x))));
      },
    },
    {
      method: 'GET',
      path: '/clients/{id}/security-servers',
      op: 'getClientSecurityServers',
      roles: [RO, SA, SYS, OBS, SO],
      h: (c) => {
        const id = clientIdOf(client(c.params.id!));
        return ok(
          (gc()?.servers ?? [])
            .filter((s) => s.clients.includes(id) || s.id.startsWith(id + ':'))
            .map((s) => {
              const p = s.id.split(':');
              return { id: s.id, instance_id: p[0], member_class: p[1], member_code: p[2], server_code: p[3], server_address: s.address };
            }),
        );
      },
    },
    {
      method: 'GET',
      path: '/clients/{id}/orphans',
      op: 'getClientOrphans',
      roles: [RO],
      h: (c) => {
        client(c.params.id!);
        return ok({ orphans_exist: false });
      },
    },
  ];
}
