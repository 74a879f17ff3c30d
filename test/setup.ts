// Loaded before every suite (see .mocharc.json): keep the product's info logs out of test output.
process.env.PORTCULLIS_LOG_LEVEL ??= 'warn';
