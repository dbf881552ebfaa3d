import type { JsonSchema } from './schema.js';

const change: JsonSchema = {
  type: 'object',
  required: ['id', 'server', 'kind', 'key', 'op', 'summary', 'dependsOn'],
  properties: {
    id: { type: 'string' },
    server: { type: 'string' },
    kind: { type: 'string' },
    key: { type: 'string' },
    op: { enum: ['create', 'update', 'delete', 'unsafe', 'keep'] },
    summary: { type: 'string' },
    diff: { type: 'object' },
    dependsOn: { type: 'array', items: { type: 'string' }, description: 'ids of the changes apply makes first' },
    action: { type: 'object', required: ['type', 'params'], properties: { type: { type: 'string' }, params: { type: 'object' } } },
    prune: { type: 'boolean' },
    step: { type: 'boolean', description: 'a step apply takes on the way (login, a wait), not a change; not counted in the summary' },
    pos: { type: 'object' },
  },
  additionalProperties: false,
};

export const serverPlanSchema: JsonSchema = {
  type: 'object',
  required: ['server', 'kind', 'stateDigest', 'changes'],
  properties: {
    server: { type: 'string' },
    kind: { enum: ['central', 'security'] },
    stateDigest: { type: 'string' },
    changes: { type: 'array', items: change },
    error: { type: 'string' },
    errorExitCode: { type: 'integer', description: 'the exit code of that error (3: TLS or authentication refused)' },
  },
  additionalProperties: false,
};

export const summarySchema: JsonSchema = {
  type: 'object',
  required: ['create', 'update', 'delete', 'unsafe', 'keep'],
  properties: {
    create: { type: 'integer' },
    update: { type: 'integer' },
    delete: { type: 'integer' },
    unsafe: { type: 'integer' },
    keep: { type: 'integer' },
    steps: { type: 'integer', description: 'steps apply takes on the way (token login, waits), not counted as changes' },
  },
  additionalProperties: false,
};

export function planSchema(extra: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    required: ['format', 'createdAt', 'instance', 'servers', 'summary', ...Object.keys(extra)],
    properties: {
      format: { const: 'xrdctl-plan/1' },
      createdAt: { type: 'string' },
      instance: { type: 'string' },
      servers: { type: 'array', items: serverPlanSchema },
      summary: summarySchema,
      warnings: { type: 'array', items: { type: 'string' } },
      ...extra,
    },
    additionalProperties: false,
  };
}

/** apply --json: the plan, and what apply did per server. */
export const applyResultSchema: JsonSchema = {
  type: 'object',
  required: ['check', 'changed', 'plan', 'result', 'requests'],
  properties: {
    check: { type: 'boolean' },
    changed: { type: 'boolean', description: 'whether anything was (or, with --check, would be) changed' },
    plan: planSchema(),
    result: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['changed', 'servers', 'ok'],
          properties: {
            changed: { type: 'boolean' },
            ok: { type: 'boolean' },
            servers: {
              type: 'array',
              items: {
                type: 'object',
                required: ['server', 'changed', 'applied', 'failed', 'skipped'],
                properties: {
                  server: { type: 'string' },
                  changed: { type: 'boolean' },
                  applied: { type: 'array', items: { type: 'string' } },
                  skipped: { type: 'array', items: { type: 'string' } },
                  failed: {
                    anyOf: [
                      { type: 'null' },
                      {
                        type: 'object',
                        required: ['change', 'error'],
                        properties: { change: { type: 'string' }, error: { type: 'string' }, exitCode: { type: 'integer' } },
                      },
                    ],
                  },
                },
                additionalProperties: false,
              },
            },
          },
          additionalProperties: false,
        },
      ],
    },
    requests: { type: 'integer', description: 'HTTP requests sent' },
    warnings: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
};
