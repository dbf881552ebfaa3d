/** A JSON Schema object (draft 2020-12 subset) describing a command's --json result. */
export type JsonSchema = Record<string, unknown>;

/** Helpers to keep result schemas short and strict. */
export const S = {
  str: (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) }),
  int: (description?: string): JsonSchema => ({ type: 'integer', ...(description ? { description } : {}) }),
  num: (description?: string): JsonSchema => ({ type: 'number', ...(description ? { description } : {}) }),
  bool: (description?: string): JsonSchema => ({ type: 'boolean', ...(description ? { description } : {}) }),
  nullable: (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'null' }] }),
  enum: (values: string[], description?: string): JsonSchema => ({ type: 'string', enum: values, ...(description ? { description } : {}) }),
  arr: (items: JsonSchema, description?: string): JsonSchema => ({ type: 'array', items, ...(description ? { description } : {}) }),
  /** an object whose listed properties are all required unless named in `optional` */
  obj: (properties: Record<string, JsonSchema>, optional: string[] = [], description?: string): JsonSchema => ({
    type: 'object',
    properties: { ...properties, warnings: { type: 'array', items: { type: 'string' } } },
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
    ...(description ? { description } : {}),
  }),
};

/** Schema of an item object (no warnings property: only the top level carries warnings). */
export function item(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return { type: 'object', properties, required: Object.keys(properties).filter((k) => !optional.includes(k)), additionalProperties: false };
}

/** The shape of every error document printed with --json. */
export const errorDocumentSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'exitCode'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        exitCode: { type: 'integer' },
        hint: { type: 'string' },
        server: { type: 'string' },
        step: { type: 'string' },
        file: { type: 'string' },
        line: { type: 'integer' },
        col: { type: 'integer' },
        path: { type: 'string' },
        status: { type: 'integer' },
        apiCode: { type: 'string' },
        metadata: { type: 'array', items: { type: 'string' } },
        correlationId: { type: 'string' },
        errors: { type: 'array' },
      },
    },
    warnings: { type: 'array', items: { type: 'string' } },
  },
};
