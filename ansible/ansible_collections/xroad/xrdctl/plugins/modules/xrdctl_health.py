#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xrdctl_health
short_description: Check X-Road servers with xrdctl health
description:
  - Runs C(xrdctl health --json) (read-only; check mode runs it too). The task fails on CRITICAL (and on UNKNOWN,
    unless I(fail_on_unknown) is false), warns on WARNING, and never reports changed.
options:
  contexts:
    description: Contexts to check (C(-c)); none and no I(manifest) and not I(all_contexts) - the current context.
    type: list
    elements: str
    default: []
  all_contexts:
    description: Check every context.
    type: bool
    default: false
  manifest:
    description: Check the servers of these manifests (and what they declare).
    type: list
    elements: path
    default: []
  only:
    description: Check groups (connection, system, token, certificates, globalconf, ocsp, ...).
    type: list
    elements: str
    default: []
  warn_days:
    description: Certificates expiring within this many days are WARNING.
    type: int
  crit_days:
    description: Certificates expiring within this many days are CRITICAL.
    type: int
  fail_on_unknown:
    description: Fail when a server could not be asked (UNKNOWN).
    type: bool
    default: true
  xrdctl:
    description: The xrdctl command (split like a shell, run without one).
    type: str
    default: xrdctl
  chdir:
    description: Folder to run xrdctl in.
    type: path
  environment:
    description: Extra environment for xrdctl (API keys for C(env:) references). Never logged.
    type: dict
    default: {}
author: xrdctl maintainers
'''

EXAMPLES = r'''
- name: Every server is healthy
  xroad.xrdctl.xrdctl_health:
    all_contexts: true
    warn_days: 45
'''

RETURN = r'''
status:
  description: The worst status, OK, WARNING, CRITICAL or UNKNOWN.
  type: str
servers:
  description: Per server, its status and checks (status, message, remedy).
  type: list
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.xroad.xrdctl.plugins.module_utils.xrdctl import XRDCTL_ARGS, fail_from, run_json


def problems(doc, wanted):
    out = []
    for s in doc.get('servers', []):
        for c in s.get('checks', []) or []:
            if c.get('status') in wanted:
                out.append('%s %s: %s%s' % (s.get('server'), c.get('name'), c.get('message'), (' - ' + c['remedy']) if c.get('remedy') else ''))
        if not s.get('checks') and s.get('status') in wanted:
            out.append('%s: %s' % (s.get('server'), s.get('error') or s.get('status')))
    return out


def main():
    spec = dict(
        contexts=dict(type='list', elements='str', default=[]),
        all_contexts=dict(type='bool', default=False),
        manifest=dict(type='list', elements='path', default=[]),
        only=dict(type='list', elements='str', default=[]),
        warn_days=dict(type='int'),
        crit_days=dict(type='int'),
        fail_on_unknown=dict(type='bool', default=True),
    )
    spec.update(XRDCTL_ARGS)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    args = ['health']
    for c in p['contexts']:
        args += ['-c', c]
    if p['all_contexts']:
        args.append('--all-contexts')
    for f in p['manifest']:
        args += ['-f', f]
    for g in p['only']:
        args += ['--only', g]
    if p['warn_days'] is not None:
        args += ['--warn-days', str(p['warn_days'])]
    if p['crit_days'] is not None:
        args += ['--crit-days', str(p['crit_days'])]
    rc, doc, err = run_json(module, args)
    if not isinstance(doc, dict) or 'error' in doc:
        fail_from(module, rc, doc, err)
    status = doc.get('status')
    out = dict(changed=False, status=status, servers=doc.get('servers', []), exit_code=rc)
    if status == 'CRITICAL' or (status == 'UNKNOWN' and p['fail_on_unknown']):
        found = problems(doc, ('CRITICAL', 'UNKNOWN'))
        module.fail_json(msg='xrdctl health: %s: %s' % (status, '; '.join(found[:10]) or 'see servers'), **out)
    for w in problems(doc, ('WARNING',))[:20]:
        module.warn('xrdctl health WARNING: ' + w)
    module.exit_json(**out)


if __name__ == '__main__':
    main()
