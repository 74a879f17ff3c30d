/**
 * Thrown when settings do not match the schema; the message names every bad field. In a file of
 * its own so that the CLI can recognise it without loading (and compiling) the settings schema.
 */
export class SettingsError extends Error {}
