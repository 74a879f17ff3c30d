import { Command } from 'commander';
import { NotFoundError } from '../errors/domain-errors';
import { accessText, type GuardRoute } from '../guard/route-rule';
import type { ApplicationRoutes } from '../startup/application-routes';
import { fail, print, table } from './output';

/** One row of `portcullis routes --json`. */
export interface RouteRow {
  application: string;
  /** Null: every method. */
  methods: string[] | null;
  path: string;
  /** `glob` (hand-written `*`, `**`) or `template` (OpenAPI `{name}`). */
  syntax: GuardRoute['syntax'];
  access: GuardRoute['access']['kind'];
  /** For `permissions`: any one of these lists, each needed in full. */
  any_of?: string[][];
  /** The access as text, as the table shows it. */
  needs: string;
  source: string;
}

/**
 * `portcullis routes`: the method/path -> permission table the guards enforce, in the order they
 * try it (hand-written rules, then the OpenAPI document's), read as the server reads it at start
 * (no store is opened). A bad document is the same refusal as at start (exit code 2).
 */
export function routesCommand(): Command {
  return new Command('routes')
    .description('print the route rules of each application (hand-written and from its OpenAPI document): method, path, the permissions needed, and where each rule comes from')
    .option('--application <name>', 'only this application')
    .option('--json', 'print JSON')
    .action(async (opts: { application?: string; json?: boolean }) => {
      try {
        // Loaded when the command runs, not when the command line is built (see with-runtime.ts).
        /* eslint-disable @typescript-eslint/no-require-imports */
        const { applyEnvironmentDefaults } = require('../config/environment') as typeof import('../config/environment');
        const { loadSettings } = require('../config/load-settings') as typeof import('../config/load-settings');
        const { applicationRoutes } = require('../startup/application-routes') as typeof import('../startup/application-routes');
        /* eslint-enable @typescript-eslint/no-require-imports */
        applyEnvironmentDefaults();
        const settings = loadSettings();
        if (opts.application !== undefined && !Object.hasOwn(settings.applications, opts.application)) {
          throw new NotFoundError('application', opts.application);
        }
        const rows = routeRows(await applicationRoutes(settings), opts.application);
        print(rows, !!opts.json, () => routesTable(rows));
      } catch (err) {
        fail(err, !!opts.json);
      }
    });
}

/** The rows of every application's rules (or of `application` only), in the guards' order. */
export function routeRows(all: ApplicationRoutes, application?: string): RouteRow[] {
  return [...all].filter(([name]) => application === undefined || name === application).flatMap(([name, routes]) => routes.map((route) => rowOf(name, route)));
}

/** The rows as the table `portcullis routes` prints. */
export function routesTable(rows: readonly RouteRow[]): string {
  return table(['APPLICATION', 'METHODS', 'PATH', 'NEEDS', 'SOURCE'], rows.map((r) => [r.application, r.methods?.join(',') ?? '*', r.path, r.needs, r.source]));
}

function rowOf(application: string, route: GuardRoute): RouteRow {
  const { access } = route;
  return {
    application,
    methods: route.methods ? [...route.methods] : null,
    path: route.path,
    syntax: route.syntax,
    access: access.kind,
    ...(access.kind === 'permissions' ? { any_of: access.anyOf.map((all) => [...all]) } : {}),
    needs: accessText(access),
    source: route.source,
  };
}
