import { apiKeyCheck } from './api-key-explain';
import { foreignTokenCheck } from './foreign-explain';
import type { ExplainCheck, ExplainContext, ExplainInput, ExplainStep } from './explain-check';
import { permissionCheck } from './permission-check';
import { routeCheck } from './route-check';
import { standingCheck } from './standing-check';
import { tokenCheck } from './token-check';

/** The report's checks, in the guard's order (src/guard/guard.ts, checks 0-4). */
export const EXPLAIN_CHECKS: readonly ExplainCheck[] = [routeCheck, tokenCheck, standingCheck, apiKeyCheck, permissionCheck];

export interface ExplainReport {
  application: string;
  method: string;
  path: string;
  /** `allowed` when no check failed. */
  result: 'allowed' | 'refused';
  steps: ExplainStep[];
  /** What the guard itself answers to the same request (Guard.explain fills it in). */
  guard?: { result: 'allowed' | 'refused'; reason?: string; description?: string };
}

/**
 * `portcullis explain`: every check of the guard on one request, each with pass, fail or skip and
 * why. Unlike the guard it does not stop at the first refusal, so a person sees everything that
 * is wrong at once. Each check decides with the guard's own code (the verifier, the standing
 * rules, the route matcher, the permissions model), so the report and the guard cannot disagree.
 */
export async function explainRequest(ctx: ExplainContext, input: ExplainInput, checks: readonly ExplainCheck[] = EXPLAIN_CHECKS): Promise<ExplainReport> {
  const state = {};
  const steps: ExplainStep[] = [];
  // Another issuer's token meets that issuer's checks instead of checks 2-3b (guard.ts).
  const chosen = ctx.foreign?.issuerOf(input.token) ? [routeCheck, foreignTokenCheck] : checks;
  for (const check of chosen) steps.push(...(await check(ctx, input, state)));
  return { application: ctx.application, method: input.method.toUpperCase(), path: input.path, result: steps.some((s) => s.result === 'fail') ? 'refused' : 'allowed', steps };
}

/** The report as lines for a terminal. */
export function explainText(report: ExplainReport): string {
  const width = Math.max(...report.steps.map((s) => s.check.length));
  const mark = { pass: 'pass', fail: 'FAIL', skip: 'skip' } as const;
  return [
    `${report.method} ${report.path} at ${report.application}: ${report.result.toUpperCase()}`,
    ...report.steps.map((s) => `  ${mark[s.result]}  ${s.check.padEnd(width)}  ${s.reason}${s.code ? ` [${s.code}]` : ''}`),
    ...(report.guard ? [`the guard answers: ${report.guard.result}${report.guard.reason ? ` (${report.guard.reason}: ${report.guard.description})` : ''}`] : []),
  ].join('\n');
}
