import type { ServerResponse } from 'node:http';

/** What the `branding` settings put on every page: the product's name, its logo, its colour. */
export interface Brand {
  productName: string;
  /** An https URL or a path on this origin; none: the name alone. */
  logoUrl?: string;
  /** `#rrggbb`: buttons, links and the focus of the forms. */
  primaryColor: string;
}

export const DEFAULT_BRAND: Brand = { productName: 'Portcullis', primaryColor: '#24408e' };

/**
 * The brand of one response. The pages are rendered by many handlers that know nothing of the
 * settings; the router that serves them marks each response once, and `sendPage` reads the mark.
 * A WeakMap, not a module variable: two runtimes in one process (tests, a reload) keep their own.
 */
const brands = new WeakMap<ServerResponse, Brand>();

export function brandResponse(res: ServerResponse, brand: Brand): void {
  brands.set(res, brand);
}

export function brandOf(res: ServerResponse): Brand {
  return brands.get(res) ?? DEFAULT_BRAND;
}

/** The logo's origin when it is on another one (the pages' CSP must allow it as an image source). */
export function logoOrigin(brand: Brand): string | undefined {
  if (!brand.logoUrl || brand.logoUrl.startsWith('/')) return undefined;
  return new URL(brand.logoUrl).origin;
}

/** The stylesheet's part that comes from the settings (the CSP allows no inline style). */
export function brandStyles(brand: Brand): string {
  return `:root{--primary:${brand.primaryColor}}\n`;
}
