# -*- coding: utf-8 -*-
# The one way the xroad.xrdctl modules run xrdctl: argv (never a shell), --json, the documented exit codes.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import shlex

XRDCTL_ARGS = dict(
    xrdctl=dict(type='str', default='xrdctl'),
    chdir=dict(type='path'),
    environment=dict(type='dict', default={}, no_log=True),
)


def run_json(module, args):
    """Run xrdctl ARGS --json; returns (exit code, parsed stdout or None, stderr)."""
    argv = shlex.split(module.params['xrdctl']) + list(args) + ['--json']
    env = dict((k, str(v)) for k, v in (module.params.get('environment') or {}).items())
    # never a prompt: xrdctl errors out naming the flag instead
    env['CI'] = '1'
    env.setdefault('NO_COLOR', '1')
    rc, out, err = module.run_command(argv, cwd=module.params.get('chdir'), environ_update=env, check_rc=False)
    try:
        doc = json.loads(out) if out.strip() else None
    except ValueError:
        doc = None
    return rc, doc, err


def fail_from(module, rc, doc, err, **extra):
    """Fail with xrdctl's own error document (message, hint, server, step), never a secret: xrdctl redacts them."""
    e = (doc or {}).get('error') if isinstance(doc, dict) else None
    if e:
        msg = e.get('message', 'xrdctl failed')
        if e.get('hint'):
            msg += ' (hint: %s)' % e['hint']
        module.fail_json(msg=msg, exit_code=rc, error=e, stderr=err, **extra)
    module.fail_json(msg='xrdctl exited %d: %s' % (rc, (err or '').strip()[-2000:] or 'no output'), exit_code=rc, stderr=err, **extra)
