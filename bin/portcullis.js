#!/usr/bin/env node
// The `portcullis` command (npx portcullis ...). The code lives in dist/, built by `npm install`.
require('../dist/cli/main').main(process.argv);
