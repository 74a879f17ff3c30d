import type { ServerProcess } from '../common/processes';

export type Alg = 'RS256' | 'ES256';
export type Product = 'portcullis-sqlite' | 'portcullis-redis' | 'oidc-provider';

export interface ClientCredentials {
  id: string;
  secret: string;
}

export interface WebClient extends ClientCredentials {
  redirectUri: string;
}

/** One running issuer process, whichever product, as the load generator and the checks see it. */
export interface IssuerUnderTest {
  product: Product;
  /** The algorithms its client-credentials tokens are signed with (a Portcullis key ring has one). */
  algs: Alg[];
  /** Whether it serves code exchanges and refreshes in this run (one RS256 instance per product). */
  userGrants: boolean;
  proc: ServerProcess;
  /** With BENCH_ISSUER_CPU_PROF=1 (Portcullis only): where bench/profiler-preload.js writes its profiles. */
  profDir?: string;
  /** Where heap-preload.js writes the process's memory after a full GC (memory.ts). */
  heapFile?: string;
  tokenUrl: string;
  service: ClientCredentials;
  web: WebClient;
  /** Extra client-credentials parameters (node-oidc-provider picks the signing key by resource). */
  ccParams(alg: Alg): Record<string, string>;
  /** Single-use authorization codes for `web`, minted through the product's own code and store. */
  mintCodes(n: number): Promise<string[]>;
  /** Stops the process and removes what it stored. */
  close(): Promise<void>;
}
