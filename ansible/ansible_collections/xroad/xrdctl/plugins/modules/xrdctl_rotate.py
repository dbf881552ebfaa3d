#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xrdctl_rotate
short_description: Rotate an X-Road auth or sign certificate with xrdctl, resumably
description:
  - Runs C(xrdctl rotate auth|sign ... --yes --json), the journaled runbook that never leaves a server (or member)
    without a working certificate. A rotation that waits (for the CA, an approval, a grace period) is not a failure -
    the task returns C(waiting=true) and its C(ids); a later task with I(resume) continues it.
  - With I(resume) (a rotation id, or C(auto) for every unfinished rotation in the journal) it runs C(xrdctl rotate resume).
  - Check mode sends nothing: it reports what C(xrdctl rotate status) knows (resume) or that a rotation would start.
options:
  usage:
    description: Which certificate to rotate (not needed with I(resume)).
    type: str
    choices: [auth, sign]
  context:
    description: The security server's context (C(-c)).
    type: str
  manifest:
    description: Rotate the certificates of these manifests' servers that are due (C(-f ... --all)).
    type: list
    elements: path
    default: []
  member:
    description: Member id whose sign certificate is rotated (sign).
    type: str
  adapter:
    description: How the CSR reaches the CA (server-acme, acme, command, manual).
    type: str
  ca:
    description: Approved CA name.
    type: str
  emergency:
    description: The emergency runbook (full speed, then the old certificate is cut off).
    type: bool
    default: false
  extra_args:
    description: Further xrdctl rotate flags, one list item each (e.g. C(--propagation), C(0)).
    type: list
    elements: str
    default: []
  resume:
    description: Continue a rotation - its id, or C(auto) for every unfinished one.
    type: str
  xrdctl:
    description: The xrdctl command (split like a shell, run without one).
    type: str
    default: xrdctl
  chdir:
    description: Folder to run xrdctl in.
    type: path
  environment:
    description: Extra environment for xrdctl (token PINs, API keys, EAB MAC keys for env references). Never logged.
    type: dict
    default: {}
author: xrdctl maintainers
'''

EXAMPLES = r'''
- name: Rotate the auth certificate of ss1
  xroad.xrdctl.xrdctl_rotate:
    usage: auth
    context: ss1
    adapter: server-acme
    ca: Sandbox CA
  register: rot
- name: Continue whatever waits
  xroad.xrdctl.xrdctl_rotate:
    resume: auto
  when: rot.waiting
'''

RETURN = r'''
status:
  description: done, waiting, failed or aborted.
  type: str
ids:
  description: The rotation ids (for resume).
  type: list
waiting:
  description: Whether a rotation waits (exit 4); resume it later.
  type: bool
rotations:
  description: The journal entries of the rotations.
  type: list
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.xroad.xrdctl.plugins.module_utils.xrdctl import XRDCTL_ARGS, fail_from, run_json

UNFINISHED = ('running', 'waiting', 'failed')


def finish(module, rc, doc, err):
    # 0 done, 4 waiting (a later resume continues), anything else failed
    if rc not in (0, 4) or not isinstance(doc, dict) or 'error' in doc:
        fail_from(module, rc, doc, err)
    rotations = doc.get('rotations') or []
    module.exit_json(changed=True, status=doc.get('status'), waiting=rc == 4, ids=[r.get('id') for r in rotations], rotations=rotations, exit_code=rc)


def main():
    spec = dict(
        usage=dict(type='str', choices=['auth', 'sign']),
        context=dict(type='str'),
        manifest=dict(type='list', elements='path', default=[]),
        member=dict(type='str'),
        adapter=dict(type='str'),
        ca=dict(type='str'),
        emergency=dict(type='bool', default=False),
        extra_args=dict(type='list', elements='str', default=[]),
        resume=dict(type='str'),
    )
    spec.update(XRDCTL_ARGS)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_one_of=[('usage', 'resume')], mutually_exclusive=[('usage', 'resume')])
    p = module.params
    ctx = ['-c', p['context']] if p['context'] else []
    if p['resume']:
        rc, doc, err = run_json(module, ['rotate', 'status'] + ctx)
        if rc != 0 or not isinstance(doc, dict):
            fail_from(module, rc, doc, err)
        open_ids = [r['id'] for r in doc.get('rotations', []) if r.get('status') in UNFINISHED]
        ids = open_ids if p['resume'] == 'auto' else [p['resume']]
        if p['resume'] != 'auto' and p['resume'] not in [r['id'] for r in doc.get('rotations', [])]:
            module.fail_json(msg='no rotation %s in the journal (xrdctl rotate status lists them)' % p['resume'])
        ids = [i for i in ids if i in open_ids]
        if not ids or module.check_mode:
            module.exit_json(changed=bool(ids), status='done' if not ids else 'waiting', waiting=bool(ids), ids=ids, rotations=[r for r in doc.get('rotations', []) if r['id'] in ids])
        last = None
        for i in ids:
            rc, last, err = run_json(module, ['rotate', 'resume', i, '--yes'] + ctx)
            if rc not in (0, 4):
                fail_from(module, rc, last, err, ids=ids)
        finish(module, rc, last, err)
    if module.check_mode:
        module.exit_json(changed=True, status='planned', waiting=False, ids=[], rotations=[], msg='check mode: a %s rotation would start' % p['usage'])
    args = ['rotate', p['usage']] + ctx
    for f in p['manifest']:
        args += ['-f', f]
    if p['manifest']:
        args.append('--all')
    for flag in ('member', 'adapter', 'ca'):
        if p[flag]:
            args += ['--' + flag, p[flag]]
    if p['emergency']:
        args.append('--emergency')
    args += p['extra_args'] + ['--yes']
    rc, doc, err = run_json(module, args)
    finish(module, rc, doc, err)


if __name__ == '__main__':
    main()
