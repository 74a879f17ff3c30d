import type { GrantHandler } from './grant-handler';

/** The one list of grants: the token endpoint and discovery both read it. */
export class GrantRegistry {
  private readonly grants = new Map<string, GrantHandler>();

  register(grant: GrantHandler): this {
    if (this.grants.has(grant.grantType)) throw new Error(`grant ${grant.grantType} registered twice`);
    this.grants.set(grant.grantType, grant);
    return this;
  }

  find(grantType: string): GrantHandler | undefined {
    return this.grants.get(grantType);
  }

  /** For discovery's `grant_types_supported`. */
  types(): string[] {
    return [...this.grants.keys()];
  }
}
