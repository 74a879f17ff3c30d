import type { Alg, IssuerUnderTest, Product } from './issuer-under-test';

export type Operation = 'cc-rs256' | 'cc-es256' | 'code' | 'refresh';

export const OPERATIONS: ReadonlyArray<{ name: Operation; label: string; alg?: Alg }> = [
  { name: 'cc-rs256', label: 'client_credentials, RS256 access token', alg: 'RS256' },
  { name: 'cc-es256', label: 'client_credentials, ES256 access token', alg: 'ES256' },
  { name: 'code', label: 'authorization_code exchange (access + ID + refresh token, RS256)' },
  { name: 'refresh', label: 'refresh_token grant with rotation (RS256)' },
];

export const PRODUCTS: readonly Product[] = ['portcullis-sqlite', 'portcullis-redis', 'oidc-provider'];

/** One measured thing: an operation on one issuer process. */
export interface Target {
  name: string;
  operation: Operation;
  product: Product;
  issuer: IssuerUnderTest;
}

export function algOf(operation: Operation): Alg {
  return OPERATIONS.find((o) => o.name === operation)?.alg ?? 'RS256';
}

/** Every (operation, product) pair the running issuers serve, operations first. */
export function targetsOf(issuers: IssuerUnderTest[], only?: string[]): Target[] {
  const targets: Target[] = [];
  for (const op of OPERATIONS) {
    if (only && !only.includes(op.name)) continue;
    for (const product of PRODUCTS) {
      const issuer = issuers.find((i) => i.product === product && (op.alg ? i.algs.includes(op.alg) : i.userGrants));
      if (issuer) targets.push({ name: `${op.name}/${product}`, operation: op.name, product, issuer });
    }
  }
  return targets;
}
