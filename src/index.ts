/**
 * Portcullis as a library: open the runtime from settings and put its guard in front of any
 * Express (or Connect) backend, or mount the issuer's endpoints in your own app.
 *
 *   const portcullis = await Portcullis.open(resolveSettings(raw, process.cwd()));
 *   app.use('/orders', portcullis.guard({ application: 'orders' }).middleware());
 */
export { Portcullis, type GuardPolicyOptions, type RuntimeOptions } from './runtime/portcullis';
export { resolveSettings, settingsSchema, SettingsError, type PortcullisSettings, type ApplicationSettings, type RouteRule, type TrustedIssuerSettings } from './config/settings';
export { loadSettings } from './config/load-settings';
/** The issuer's endpoints with its admin area and assets (kept under its first name). */
export { portcullisRouter as issuerRouter } from './runtime/portcullis-router';
export { Guard } from './guard/guard';
export type { VerifiedIdentity } from './guard/verified-identity';
export { manifest as expressGatewayPlugin } from './plugin/manifest';
export type { Store, StoredRecord, WriteOptions } from './store/store';
export { SqliteStore } from './store/sqlite-store';
export { RedisStore } from './store/redis-store';
