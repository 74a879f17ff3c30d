#!/usr/bin/env node
// Part of `npm run build`, after tsc: writes dist/config/settings-validate.js, the settings schema
// compiled ahead of time by Ajv, so that no command compiles it at start-up
// (src/config/settings-validator.ts says when it is used).
const fs = require('node:fs');
const path = require('node:path');
const dist = path.resolve(__dirname, '..', 'dist', 'config');
const { precompiledValidatorSource, PRECOMPILED_VALIDATOR } = require(path.join(dist, 'settings-validator.js'));
const schema = require(path.join(dist, 'settings.schema.json'));
fs.writeFileSync(PRECOMPILED_VALIDATOR, precompiledValidatorSource(schema));
