import { expect } from 'chai';
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ADMIN_ROUTES } from '../../src/admin/api/routes';
import { program } from '../../src/cli/main';
import * as domainErrors from '../../src/errors/domain-errors';
import * as oauthErrors from '../../src/errors/oauth-errors';
import settingsSchema from '../../src/config/settings.schema.json';
import guardSchema from '../../src/config/guard-params.schema.json';

/**
 * The docs cannot drift from the code: every setting, policy parameter, error code, environment
 * variable and CLI command/option in the code must be documented, and every one the docs' reference
 * tables name must exist in the code.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

const README = read('README.md');
const OPS = read('docs/ops-guide.md');
const ERRORS = read('docs/errors.md');
const API_OWNER = read('docs/api-owner-guide.md');
const ADMIN = read('docs/admin-guide.md');

/** A markdown table: its header cells and its rows' cells (backticks kept). */
interface Table {
  header: string[];
  rows: string[][];
}

function splitRow(line: string): string[] {
  // Split on pipes that are not escaped and not inside `code`.
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '`') inCode = !inCode;
    if (c === '\\' && line[i + 1] === '|') {
      cell += '|';
      i++;
      continue;
    }
    if (c === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
      continue;
    }
    cell += c;
  }
  cells.push(cell.trim());
  return cells.slice(1, -1);
}

/** Every table in a markdown text, outside fenced code blocks. */
function tables(markdown: string): Table[] {
  const result: Table[] = [];
  const lines = markdown.split('\n');
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('```')) inFence = !inFence;
    if (inFence) continue;
    if (lines[i].startsWith('|') && lines[i + 1]?.match(/^\|\s*-{3,}/)) {
      const header = splitRow(lines[i]);
      const rows: string[][] = [];
      let j = i + 2;
      for (; j < lines.length && lines[j].startsWith('|'); j++) rows.push(splitRow(lines[j]));
      result.push({ header, rows });
      i = j - 1;
    }
  }
  return result;
}

/** The text between a heading and the next heading of the same or a higher level. */
function section(markdown: string, heading: RegExp): string | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start])![0].length;
  let end = start + 1;
  while (end < lines.length && !(/^#+ /.test(lines[end]) && /^#+/.exec(lines[end])![0].length <= level)) end++;
  return lines.slice(start, end).join('\n');
}

/** The first `code` span of a cell, or undefined. */
const codeOf = (cell: string | undefined) => (cell ? /`([^`]+)`/.exec(cell)?.[1] : undefined);

/** Rows of every table whose first header cell is `first`, keyed by the code in their first cell. */
function rowsOf(markdown: string, first: string): Map<string, string[][]> {
  const rows = new Map<string, string[][]>();
  for (const table of tables(markdown).filter((t) => t.header[0]?.replace(/`/g, '') === first)) {
    for (const row of table.rows) {
      const key = codeOf(row[0]);
      if (key !== undefined) rows.set(key, [...(rows.get(key) ?? []), row]);
    }
  }
  return rows;
}

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
}

/**
 * Every property path of a JSON schema: `store.sqlitePath`, `applications.<name>.audience`,
 * `applications.<name>.routes[].path`. Maps (`additionalProperties`) are written `<name>`.
 */
function schemaPaths(schema: JsonSchema, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const here = prefix + name;
    paths.push(here, ...schemaPaths(child, here + '.'));
  }
  if (typeof schema.additionalProperties === 'object') paths.push(...schemaPaths(schema.additionalProperties, prefix + '<name>.'));
  if (schema.items) paths.push(...schemaPaths(schema.items, prefix.replace(/\.$/, '') + '[].'));
  return paths;
}

/** Placeholders such as `<app>` or `<name>` are the same placeholder. */
const normalisePath = (p: string) => p.replace(/<[^>]+>/g, '<>');

describe('docs: the reference matches the code', () => {
  describe('plugin settings (src/config/settings.schema.json) in docs/ops-guide.md', () => {
    const inSchema = schemaPaths(settingsSchema as JsonSchema).map(normalisePath);
    const documented = [...rowsOf(OPS, 'Setting').keys()].map(normalisePath);

    it('walks the schema, including store, keys, tokens, applications and routes', () => {
      expect(inSchema).to.include.members(['store.sqlitePath', 'keys.algorithm', 'tokens.accessTokenTtl', 'applications.<>.audience', 'applications.<>.routes[].permission']);
    });

    it('documents every setting of the schema', () => {
      const missing = inSchema.filter((p) => !documented.includes(p));
      expect(missing, 'settings missing from the ops guide tables').to.deep.equal([]);
    });

    it('documents no setting that the schema does not have', () => {
      const isSchemaPathOrParent = (p: string) => inSchema.some((s) => s === p || s.startsWith(p + '.') || s.startsWith(p + '[]'));
      const unknown = documented.filter((p) => !isSchemaPathOrParent(p));
      expect(unknown, 'settings in the ops guide that the schema does not have').to.deep.equal([]);
    });

    it('states the schema default of every setting that has one', () => {
      const rows = rowsOf(OPS, 'Setting');
      const walk = (schema: JsonSchema & { default?: unknown }, prefix: string): string[] => {
        const wrong: string[] = [];
        for (const [name, child] of Object.entries(schema.properties ?? {}) as Array<[string, JsonSchema & { default?: unknown }]>) {
          const here = prefix + name;
          const row = [...rows.entries()].find(([key]) => normalisePath(key) === normalisePath(here))?.[1][0];
          if (row && child.default !== undefined && typeof child.default !== 'object') {
            if (!row[2]?.includes(`\`${String(child.default)}\``)) wrong.push(`${here}: default ${String(child.default)} not in "${row[2]}"`);
          }
          wrong.push(...walk(child, here + '.'));
        }
        return wrong;
      };
      expect(walk(settingsSchema as JsonSchema, ''), 'wrong defaults in the ops guide').to.deep.equal([]);
    });
  });

  describe('portcullis-guard parameters (src/config/guard-params.schema.json) in docs/ops-guide.md', () => {
    const inSchema = Object.keys(guardSchema.properties).filter((p) => p !== 'getCommonAuthCallback');
    const documented = [...rowsOf(OPS, 'Parameter').keys()];

    it('documents every parameter', () => {
      expect(inSchema.filter((p) => !documented.includes(p))).to.deep.equal([]);
    });

    it('documents no parameter that the schema does not have', () => {
      expect(documented.filter((p) => !inSchema.includes(p))).to.deep.equal([]);
    });

    it('states each default', () => {
      const rows = rowsOf(OPS, 'Parameter');
      for (const [name, property] of Object.entries(guardSchema.properties) as Array<[string, { default?: unknown }]>) {
        if (property.default === undefined) continue;
        expect(rows.get(name)?.[0][2], name).to.contain(`\`${JSON.stringify(property.default).replace(/^"|"$/g, '')}\``);
      }
    });
  });

  describe('error codes in docs/errors.md', () => {
    /** Every concrete error class of oauth-errors.ts, instantiated. */
    const classes = Object.entries(oauthErrors)
      .filter(([name, value]) => typeof value === 'function' && name !== 'OAuthError' && value.prototype instanceof oauthErrors.OAuthError)
      .map(([name, value]) => {
        const instance = new (value as unknown as new (d: string, a: unknown, b: unknown) => oauthErrors.OAuthError)('x', '', undefined);
        return { name, error: instance.error, status: instance.status };
      });

    /** Codes and statuses that subclasses elsewhere in src/ override (for example request_not_supported, a 405). */
    const overrides = sourceFiles('src')
      .filter((file) => !file.endsWith(path.join('errors', 'oauth-errors.ts')))
      .flatMap((file) => {
        const text = fs.readFileSync(file, 'utf8');
        if (!/extends (InvalidRequest|InvalidClient|InvalidGrant|InvalidToken|InsufficientScope|OAuthError|[A-Z]\w+Error)\b/.test(text)) return [];
        return [
          ...[...text.matchAll(/readonly error(?::\s*string)?\s*=\s*'([a-z_]+)'/g)].map((m) => ({ kind: 'error' as const, value: m[1], file })),
          ...[...text.matchAll(/readonly status(?::\s*number)?\s*=\s*(\d{3})/g)].map((m) => ({ kind: 'status' as const, value: m[1], file })),
        ];
      });

    const allErrors = section(ERRORS, /^## All errors/);
    const rows = rowsOf(allErrors ?? '', 'error');

    it('has an "All errors" table', () => {
      expect(allErrors, 'a "## All errors" section').to.be.a('string');
      expect(rows.size).to.be.above(5);
    });

    it('lists every error class of src/errors/oauth-errors.ts with its status', () => {
      expect(classes.length).to.be.above(10);
      for (const { name, error, status } of classes) {
        const found = rows.get(error);
        expect(found, `${name} (${error}) in docs/errors.md`).to.not.equal(undefined);
        // An error is answered with its own status, or sent back in a redirect, or never sent.
        const statuses = found!.map((row) => row[1]).join(' ');
        expect(statuses, `${error}: status ${status}, a redirect (303), or "not sent"`).to.match(new RegExp(`\\b${status}\\b|\\b303\\b|not sent`));
      }
    });

    it('lists the codes and statuses that subclasses elsewhere in src/ override', () => {
      const allStatuses = [...rows.values()].flat().map((row) => row[1]).join(' ');
      for (const o of overrides) {
        if (o.kind === 'error') expect(rows.has(o.value), `${o.value} (${path.relative(ROOT, o.file)}) in docs/errors.md`).to.equal(true);
        else expect(allStatuses, `status ${o.value} (${path.relative(ROOT, o.file)}) in docs/errors.md`).to.contain(o.value);
      }
    });

    it('lists no error code that the code does not have', () => {
      const known = new Set([...classes.map((c) => c.error), ...overrides.filter((o) => o.kind === 'error').map((o) => o.value)]);
      expect([...rows.keys()].filter((code) => !known.has(code))).to.deep.equal([]);
    });

    it('lists every CLI error code', () => {
      const cliRows = rowsOf(section(ERRORS, /^## CLI errors/) ?? '', 'error');
      const domain = Object.values(domainErrors)
        .filter((value): value is typeof domainErrors.DomainError => typeof value === 'function' && value.prototype instanceof domainErrors.DomainError)
        .map((value) => new (value as unknown as new (a: string, b: string) => domainErrors.DomainError)('field', 'message').code);
      const cliLiterals = sourceFiles('src/cli').flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/'((?:invalid|internal)_[a-z_]+)'/g)].map((m) => m[1]));
      for (const code of new Set([...domain, ...cliLiterals])) expect(cliRows.has(code), `CLI error ${code} in docs/errors.md`).to.equal(true);
    });
  });

  describe('environment variables in the README', () => {
    const rows = rowsOf(README, 'Variable');

    /** `process.env.X`, `process.env['X']` and `env.X` in src/, `${X}` / `${X:-default}` in config/. */
    const fromSource = new Set(
      sourceFiles('src').flatMap((file) => {
        const text = fs.readFileSync(file, 'utf8');
        return [
          ...[...text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)].map((m) => m[1]),
          ...[...text.matchAll(/\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g)].map((m) => m[1]),
        ];
      }),
    );
    const fromYaml = fs
      .readdirSync(path.join(ROOT, 'config'))
      .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
      // Comments are skipped: they may show the syntax itself (`${VAR:-default}`).
      .flatMap((f) => [...read(`config/${f}`).replace(/^\s*#.*$/gm, '').matchAll(/\$\{([A-Za-z0-9_]+)(?::-(.*?))?\}/g)].map((m) => ({ name: m[1], fallback: m[2], file: f })));

    it('finds the variables the code reads', () => {
      expect([...fromSource]).to.include.members(['PORTCULLIS_HOME', 'PORTCULLIS_SECRET_HASH_KEY', 'PORTCULLIS_LOG_LEVEL', 'PORTCULLIS_CONFIG_DIR']);
      expect(fromYaml.map((v) => v.name)).to.include.members(['PORT', 'PORTCULLIS_STORE', 'PORTCULLIS_SQLITE_PATH', 'PORTCULLIS_REDIS_URL']);
    });

    it('has a row for every variable used in src/ and config/', () => {
      const missing = [...new Set([...fromSource, ...fromYaml.map((v) => v.name)])].filter((name) => !rows.has(name));
      expect(missing, 'variables missing from the README table').to.deep.equal([]);
    });

    it('states the default that the YAML files give', () => {
      for (const { name, fallback, file } of fromYaml) {
        if (!fallback) continue;
        expect(rows.get(name)?.[0][1], `${name} (default ${fallback} in config/${file})`).to.contain(fallback);
      }
    });

    it('lists only variables that Portcullis or Express Gateway read', () => {
      const eg = sourceFiles('node_modules/express-gateway/lib', '.js').map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      const known = (name: string) => fromSource.has(name) || fromYaml.some((v) => v.name === name) || new RegExp(`process\\.env\\.${name}\\b`).test(eg);
      expect([...rows.keys()].filter((name) => !known(name))).to.deep.equal([]);
    });
  });

  describe('the CLI (src/cli/main.ts) in docs/ops-guide.md', () => {
    const commands: Array<{ name: string; command: Command; leaf: boolean }> = [];
    const walk = (command: Command, prefix: string) => {
      for (const sub of command.commands) {
        const name = `${prefix}${sub.name()}`;
        commands.push({ name, command: sub, leaf: sub.commands.length === 0 });
        walk(sub, name + ' ');
      }
    };
    walk(program(), '');

    it('finds the commands', () => {
      expect(commands.map((c) => c.name)).to.include.members(['start', 'clients create', 'clients rotate-secret', 'keys rotate']);
    });

    it('documents every command with a section that names each of its long options and arguments', () => {
      for (const { name, command, leaf } of commands) {
        if (!leaf) {
          expect(OPS, `portcullis ${name}`).to.contain(`portcullis ${name}`);
          continue;
        }
        const text = section(OPS, new RegExp(`^#+ portcullis ${name.replace(/[-]/g, '\\-')}\\s*$`));
        expect(text, `a "### portcullis ${name}" section in the ops guide`).to.be.a('string');
        for (const option of command.options) {
          if (option.long && option.long !== '--help') expect(text, `portcullis ${name} ${option.long}`).to.contain(`\`${option.long}`);
        }
        for (const argument of command.registeredArguments) expect(text, `portcullis ${name} <${argument.name()}>`).to.contain(`<${argument.name()}>`);
      }
    });

    it('documents no command that the CLI does not have', () => {
      const names = new Set(commands.map((c) => c.name));
      const headings = [...OPS.matchAll(/^#+ portcullis (.+?)\s*$/gm)].map((m) => m[1]);
      expect(headings.filter((h) => !names.has(h))).to.deep.equal([]);
    });
  });

  describe('the admin REST API (src/admin/api/routes.ts) in docs/admin-guide.md', () => {
    /** `GET /apps/{id}`: every route of the table, plus the OpenAPI document the router serves itself. */
    const inCode = [...ADMIN_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`), 'GET /openapi.json'];
    const documented = [...rowsOf(section(ADMIN, /^### Routes/) ?? '', 'Route').keys()];

    it('finds the routes', () => {
      expect(inCode).to.include.members(['GET /session', 'POST /apps', 'PATCH /users/{id}', 'GET /audit']);
    });

    it('documents every route, and no route that the code does not have', () => {
      expect(inCode.filter((r) => !documented.includes(r)), 'routes missing from the admin guide').to.deep.equal([]);
      expect(documented.filter((r) => !inCode.includes(r)), 'routes in the admin guide that the code does not have').to.deep.equal([]);
    });

    it('documents the success status of every route', () => {
      const rows = rowsOf(section(ADMIN, /^### Routes/) ?? '', 'Route');
      for (const route of ADMIN_ROUTES) {
        const row = rows.get(`${route.method.toUpperCase()} ${route.path}`)?.[0];
        expect(row?.[2], `${route.method.toUpperCase()} ${route.path}`).to.equal(String(route.status));
      }
    });
  });

  describe('audit actions (src/admin/admin-service.ts) in docs/admin-guide.md', () => {
    const inCode = [...new Set([...read('src/admin/admin-service.ts').matchAll(/'((?:app|user|key|role)\.[a-z.-]+)'/g)].map((m) => m[1]))];
    const documented = [...rowsOf(section(ADMIN, /^## Audit log/) ?? '', 'Action').keys()];

    it('finds the actions', () => {
      expect(inCode).to.include.members(['app.create', 'app.deactivate', 'user.disable', 'key.rotate']);
    });

    it('documents every action, and no action that the code does not have', () => {
      expect(inCode.filter((a) => !documented.includes(a)), 'actions missing from the admin guide').to.deep.equal([]);
      expect(documented.filter((a) => !inCode.includes(a)), 'actions in the admin guide that the code does not have').to.deep.equal([]);
    });
  });

  describe('links between the guides', () => {
    const GUIDES = ['README.md', 'docs/integrator-guide.md', 'docs/ops-guide.md', 'docs/api-owner-guide.md', 'docs/errors.md', 'docs/admin-guide.md'];
    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
    const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const anchors = (file: string) => new Set([...read(file).matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1])));

    it('point at headings that exist', () => {
      const broken: string[] = [];
      for (const from of GUIDES) {
        for (const [, target, anchor] of read(from).matchAll(/\]\(([^)#\s]*)(?:#([^)\s]+))?\)/g)) {
          if (/^[a-z]+:/.test(target)) continue;
          const file = target ? path.normalize(path.join(path.dirname(from), target)) : from;
          if (!GUIDES.includes(file)) continue;
          if (!fs.existsSync(path.join(ROOT, file))) broken.push(`${from} -> ${file}`);
          else if (anchor && !anchors(file).has(anchor)) broken.push(`${from} -> ${file}#${anchor}`);
        }
      }
      expect(broken).to.deep.equal([]);
    });
  });

  describe('the Express middleware example in docs/api-owner-guide.md', () => {
    it('type-checks against src/', function () {
      this.timeout(60_000);
      const match = /<!--\s*compiles\s*-->\s*\n```ts\n([\s\S]*?)\n```/.exec(API_OWNER);
      expect(match, 'a ```ts block after <!-- compiles -->').to.not.equal(null);
      // The example imports the installed package; here the same modules come from src/.
      const code = match![1].replace(/'portcullis\/dist\//g, "'../../src/");
      const file = path.join(ROOT, 'test', 'docs', '__api-owner-example__.ts');
      const options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        strict: true,
        esModuleInterop: true,
        resolveJsonModule: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
      };
      const host = ts.createCompilerHost(options);
      const { getSourceFile, fileExists, readFile } = host;
      host.fileExists = (f) => f === file || fileExists.call(host, f);
      host.readFile = (f) => (f === file ? code : readFile.call(host, f));
      host.getSourceFile = (f, language, ...rest) => (f === file ? ts.createSourceFile(f, code, language, true) : getSourceFile.call(host, f, language, ...rest));
      const compiled = ts.createProgram([file], options, host);
      const source = compiled.getSourceFile(file)!;
      const diagnostics = [...compiled.getSyntacticDiagnostics(source), ...compiled.getSemanticDiagnostics(source)];
      const messages = diagnostics.map((d) => `line ${source.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      expect(messages).to.deep.equal([]);
    });
  });
});

/** Files under `dir` (relative to the repository) ending in `ext`, recursively. */
function sourceFiles(dir: string, ext = '.ts'): string[] {
  const absolute = path.join(ROOT, dir);
  return fs.readdirSync(absolute, { recursive: true, withFileTypes: false })
    .map((entry) => path.join(absolute, String(entry)))
    .filter((file) => file.endsWith(ext) && !file.endsWith('.d.ts') && fs.statSync(file).isFile());
}
