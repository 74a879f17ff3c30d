// Express Gateway loads plugins by path: this shim points it at the compiled plugin.
module.exports = require('../../dist/plugin/manifest').manifest;
