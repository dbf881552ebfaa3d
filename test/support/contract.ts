import { Ajv } from 'ajv';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorDocumentSchema } from '../../src/cli/schema.js';
import { repoRoot } from './cli.js';

const ajv = new Ajv({ allErrors: true, strict: false });

/** Command ids from the compiled command files ('cert:list' for dist/commands/cert/list.js). */
export function compiledCommandIds(): string[] {
  const root = join(repoRoot, 'dist/commands');
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js'))
        out.push(
          relative(root, p)
            .replace(/\.js$/, '')
            .replace(/\/index$/, '')
            .split('/')
            .join(':'),
        );
    }
  };
  walk(root);
  return out.sort();
}

export async function loadCommandClass(id: string): Promise<any> {
  const file = join(repoRoot, 'dist/commands', ...id.split(':')) + '.js';
  return (await import(pathToFileURL(file).href)).default;
}

/** Assert a --json document matches the command's published result schema (or the error schema). */
export async function expectConforms(id: string, doc: unknown): Promise<void> {
  const cls = await loadCommandClass(id);
  const isError = !!doc && typeof doc === 'object' && 'error' in (doc as object);
  const schema = isError ? errorDocumentSchema : cls.resultSchema;
  const validate = ajv.compile(schema);
  if (!validate(doc)) {
    throw new Error(
      `${id} --json output does not match its ${isError ? 'error' : 'result'} schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(doc, null, 2).slice(0, 2000)}`,
    );
  }
}
