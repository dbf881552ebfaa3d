#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: xrdctl_apply
short_description: Converge X-Road servers to an xrdctl manifest
description:
  - Runs C(xrdctl apply MANIFEST --yes --json). In check mode it runs C(xrdctl apply --check --json), which reads the
    servers and sends no write request.
  - C(changed) is xrdctl's own C(changed) - true only when a write was (or in check mode, would be) made.
  - In diff mode the plan is shown, every update with its before and after value.
options:
  manifest:
    description: Manifest files or folders (paths relative to I(chdir), else to the task's working folder).
    type: list
    elements: path
    required: true
  concurrency:
    description: Servers read and changed in parallel.
    type: int
  xrdctl:
    description: The xrdctl command (split like a shell, run without one).
    type: str
    default: xrdctl
  chdir:
    description: Folder to run xrdctl in (manifest paths are relative to it).
    type: path
  environment:
    description: Extra environment for xrdctl, e.g. the variables the manifest's C(${VAR}) and C(env:) references name. Never logged.
    type: dict
    default: {}
author: xrdctl maintainers
'''

EXAMPLES = r'''
- name: Converge the instance (secrets come from the environment, never the command line)
  xroad.xrdctl.xrdctl_apply:
    manifest: examples/small/manifest.yaml
    chdir: "{{ playbook_dir }}/../.."
  environment:
    XRD_SS1_API_KEY: "{{ vault_ss1_api_key }}"
  no_log: false
'''

RETURN = r'''
changed:
  description: Whether anything was (check mode - would be) changed.
  type: bool
summary:
  description: The plan's counts (create, update, delete, unsafe, keep, steps).
  type: dict
  returned: always
plan:
  description: The full plan xrdctl made.
  type: dict
  returned: always
result:
  description: What apply did per server (null in check mode or when nothing needed doing).
  type: dict
  returned: always
requests:
  description: Requests sent.
  type: int
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.xroad.xrdctl.plugins.module_utils.xrdctl import XRDCTL_ARGS, fail_from, run_json

SIGN = {'create': '+', 'update': '~', 'delete': '-', 'unsafe': '!', 'keep': '='}


def plan_diff(plan):
    """The plan as a prepared diff: one line per change, before -> after for updates."""
    lines = []
    for s in plan.get('servers', []):
        if s.get('error'):
            lines.append('%s: cannot read: %s' % (s['server'], s['error']))
            continue
        for c in s.get('changes', []):
            sign = '>' if c.get('step') else SIGN.get(c.get('op'), '?')
            lines.append('%s %s: %s' % (sign, s['server'], c.get('summary')))
            if c.get('op') == 'update' and not c.get('step'):
                for field, d in sorted((c.get('diff') or {}).items()):
                    lines.append('    %s: %r -> %r' % (field, d.get('from'), d.get('to')))
    return '\n'.join(lines) + '\n' if lines else ''


def main():
    spec = dict(manifest=dict(type='list', elements='path', required=True), concurrency=dict(type='int'))
    spec.update(XRDCTL_ARGS)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    args = ['apply'] + module.params['manifest']
    if module.params.get('concurrency'):
        args += ['--concurrency', str(module.params['concurrency'])]
    args += ['--check'] if module.check_mode else ['--yes']
    rc, doc, err = run_json(module, args)
    # 0 done (or nothing to do); 4: a rotation the plan started waits (resume it later); anything else failed
    if rc not in (0, 4) or not isinstance(doc, dict) or 'error' in doc:
        fail_from(module, rc, doc, err)
    plan = doc.get('plan') or {}
    out = dict(changed=bool(doc.get('changed')), summary=plan.get('summary'), plan=plan, result=doc.get('result'), requests=doc.get('requests'), exit_code=rc)
    if module._diff:
        out['diff'] = dict(prepared=plan_diff(plan))
    if rc == 4:
        module.warn('a rotation waits (for the CA, an approval or a grace period): xrdctl rotate status, then xroad.xrdctl.xrdctl_rotate with resume')
    result = doc.get('result')
    if result is not None and not result.get('ok', True):
        module.fail_json(msg='apply failed on %s; a rerun continues from what the servers report' % ', '.join(s['server'] for s in result.get('servers', []) if s.get('failed')), **out)
    module.exit_json(**out)


if __name__ == '__main__':
    main()
