/**
 * The console's Content-Security-Policy: its own files, and calls only to the API and sign-in
 * origins. Apart from the build so the construct can use it without esbuild.
 */
export const consoleContentSecurityPolicy = (connectTo: readonly string[] = []): string =>
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${["'self'", ...connectTo].join(' ')}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
