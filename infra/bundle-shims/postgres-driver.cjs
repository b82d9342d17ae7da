// The entry of the PostgreSQL driver's own bundle (infra/bundling.ts): pg, as `require('pg')` gives it.
module.exports = require('pg');
